# Binary and invalid UTF-8 output: a known prefix with bytes that are not UTF-8 (a lone
# continuation byte, a truncated sequence, 0xff), a NUL byte, then 64 KiB of random bytes on both
# streams. The result must still be JSON text, with U+FFFD for each invalid byte, never a 500.
import os
import sys

sys.stdout.buffer.write(b"start \x80 \xc3( \xff\xfe \x00 end\n")
sys.stdout.buffer.write(os.urandom(65536))
sys.stderr.buffer.write(os.urandom(65536))
