#!/usr/bin/env python3
"""Runs a command on which io_uring_setup fails with ENOSYS, as on a kernel built without io_uring.

    without-io-uring.py COMMAND [ARG...]

A seccomp filter (installed here, inherited through exec) answers io_uring_setup with ENOSYS and
allows every other call. The package test uses it to show the installed CLI on a Linux without
io_uring; it is this branch's stand-in for native/tools/seccomp-exec (`seccomp-exec -e ENOSYS
io_uring_setup -- COMMAND`), which replaces it once both are merged.
"""
import ctypes
import errno
import os
import platform
import struct
import sys

NR_IO_URING_SETUP = 425  # the same on every architecture (syscalls added since 5.1 share numbers)
AUDIT_ARCH = {'x86_64': 0xC000003E, 'aarch64': 0xC00000B7}[platform.machine()]
PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS, SECCOMP_MODE_FILTER = 22, 38, 2
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW = 0x00050000, 0x7FFF0000
ARCH_OFFSET, NR_OFFSET = 4, 0  # in struct seccomp_data


def instruction(code, k, if_true=0, if_false=0):
    return struct.pack('HBBI', code, if_true, if_false, k)


PROGRAM = b''.join([
    instruction(BPF_LD_W_ABS, ARCH_OFFSET),
    instruction(BPF_JEQ_K, AUDIT_ARCH, 1, 0),
    instruction(BPF_RET_K, SECCOMP_RET_ALLOW),  # another ABI: other numbers, leave it alone
    instruction(BPF_LD_W_ABS, NR_OFFSET),
    instruction(BPF_JEQ_K, NR_IO_URING_SETUP, 0, 1),
    instruction(BPF_RET_K, SECCOMP_RET_ERRNO | errno.ENOSYS),
    instruction(BPF_RET_K, SECCOMP_RET_ALLOW),
])


class SockFprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: without-io-uring.py COMMAND [ARG...]')
    libc = ctypes.CDLL(None, use_errno=True)
    code = ctypes.create_string_buffer(PROGRAM, len(PROGRAM))
    program = SockFprog(len(PROGRAM) // 8, ctypes.addressof(code))
    # Without NO_NEW_PRIVS only CAP_SYS_ADMIN may install a filter.
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        sys.exit(f'without-io-uring.py: cannot install the seccomp filter: {os.strerror(ctypes.get_errno())}')
    os.execvp(sys.argv[1], sys.argv[1:])


main()
