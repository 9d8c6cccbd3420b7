# Inherited descriptors: list the program's open descriptors without opening any. The runner holds
# the engine's attach stream (its own stdin and stdout) and a signalfd; if any leaked into the
# program it could forge results or read the spec. Only 0, 1 and 2 may be open: a memfd for stdin
# and two pipes.
import fcntl
import os

for fd in range(1024):
    try:
        fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError:
        continue
    target = os.readlink(f"/proc/self/fd/{fd}")
    print(fd, target.split("[")[0])
