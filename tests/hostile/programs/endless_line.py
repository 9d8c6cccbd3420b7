# One endless line: write "a" in 64 KiB blocks forever, never a newline, straight to the file
# descriptor. A reader that buffers up to a newline would grow without bound; the service must
# keep outputLimit bytes and end the stage at its time limit.
import os

block = b"a" * 65536
while True:
    os.write(1, block)
