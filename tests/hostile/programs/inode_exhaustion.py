# Inode exhaustion: create empty files (no data, so no space used) until the filesystem refuses.
# The working directory is a tmpfs with 4096 inodes: creation must fail with ENOSPC near that.
import errno
import os

count = 0
try:
    while count < 1_000_000:
        os.close(os.open(f"i{count}", os.O_CREAT | os.O_WRONLY, 0o644))
        count += 1
    print("no error", count)
except OSError as error:
    print(errno.errorcode[error.errno], count)
