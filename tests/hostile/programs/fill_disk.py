# Disk fill: write 8 MiB files into the folder given as argument until a write fails, but stop at
# 128 MiB so a broken sandbox cannot fill the host. The folder must be a size-limited tmpfs: the
# program must see ENOSPC (or EFBIG) before 64 MiB, never the host's disk filling up. It keeps
# what it wrote for a second so that the host can look at its own disk meanwhile.
import errno
import os
import sys
import time

folder = sys.argv[1]
written = 0
outcome = "no error"
try:
    for n in range(16):
        with open(os.path.join(folder, f"fill{n}"), "wb") as out:
            for _ in range(8):
                written += out.write(b"\0" * (1 << 20))
except OSError as error:
    outcome = f"{errno.errorcode[error.errno]} {error.strerror}"
print(outcome)
print("written", written)
time.sleep(1)
