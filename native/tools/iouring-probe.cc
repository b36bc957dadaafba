// iouring-probe: prints the raw kernel probe (probe_to_json, schemas/raw-probe.schema.json) as
// one line of JSON on stdout. Exit status 0 whenever the probe ran, whatever it found; 2 on bad
// usage. Built with -DIOB_STATIC=ON it needs nothing from the host, which makes it the payload
// of the qemu kernel matrix (scripts/kernels/) and a probe for hosts without Node.
#include <cstdio>
#include <cstring>

#include "harness/probe.h"

int main(int argc, char** argv) {
  if (argc > 1) {
    const bool help = std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0;
    std::fprintf(help ? stdout : stderr,
                 "usage: iouring-probe\n"
                 "Probes this kernel's io_uring and prints the raw report as JSON "
                 "(rawProbeVersion %d).\n",
                 iob::kRawProbeVersion);
    return help ? 0 : 2;
  }
  const std::string json = iob::probe_to_json(iob::probe_kernel());
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}
