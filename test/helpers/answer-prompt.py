"""Runs a command on a pty of its own (stdin a terminal, as a person has it) and, when its output
shows PROMPT, types ANSWER and Enter. Prints what the command printed; exits with its status.

    python3 answer-prompt.py PROMPT ANSWER COMMAND [ARG...]
"""
import os
import pty
import select
import sys

prompt, answer, command = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

output = b""
answered = False
while True:
    ready, _, _ = select.select([fd], [], [], 60)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:  # EIO: the command closed the pty
        break
    if not data:
        break
    output += data
    if not answered and prompt in output:
        os.write(fd, answer + b"\r")
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(output)
sys.exit(os.waitstatus_to_exitcode(status))
