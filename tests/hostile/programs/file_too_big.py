# A file bigger than RLIMIT_FSIZE (64 MiB), written by a program that ignores SIGXFSZ (as Python
# does): one byte written at offset 100 MiB must fail with EFBIG instead of growing the file.
import errno
import os

fd = os.open("big", os.O_WRONLY | os.O_CREAT, 0o644)
try:
    os.pwrite(fd, b"x", 100 << 20)
    print("written", os.fstat(fd).st_size)
except OSError as error:
    print(errno.errorcode[error.errno], os.fstat(fd).st_size)
