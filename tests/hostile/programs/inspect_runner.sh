# The runner's secrets: process 1 holds the attach stream to the host. If a program could open
# /proc/1/fd/1 it could forge result frames; if it could read /proc/1/mem or ptrace the runner it
# could take it over. The runner is non-dumpable: every one of these must be refused.
ls /proc/1/fd > /dev/null 2>&1; echo "fd: $?"
(echo forged > /proc/1/fd/1) 2>/dev/null; echo "fd1 write: $?"
head -c 1 /proc/1/mem > /dev/null 2>&1; echo "mem: $?"
readlink /proc/1/exe > /dev/null 2>&1; echo "exe: $?"
python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("ptrace:", libc.ptrace(16, 1, 0, 0), ctypes.get_errno())
' 2>&1
