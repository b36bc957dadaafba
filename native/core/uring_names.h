// Names for io_uring constants, including those newer than the system headers (Debian's
// liburing 2.3 stops at Linux 6.1), so messages and reports can say "SINGLE_ISSUER" instead of
// "0x1000" and still name bits this build has never heard of by number.
#pragma once

#include <cstdint>
#include <string>

namespace iob {

// "IOPOLL|SINGLE_ISSUER|DEFER_TASKRUN", or "none". Unknown bits appear as "bit17".
std::string describe_setup_flags(uint32_t flags);

// "EINVAL", "EPERM", ...; "E123" if unnamed.
std::string errno_name(int error);

}  // namespace iob
