# A file bigger than RLIMIT_FSIZE, written by a program that ignores SIGXFSZ (as Python does):
# writing at 100 MiB must fail with EFBIG instead of creating the file.
import errno
import os

with open("big", "wb") as out:
    out.seek(100 << 20)
    try:
        out.write(b"x")
        out.flush()
        print("written", os.path.getsize("big"))
    except OSError as error:
        print(errno.errorcode[error.errno])
