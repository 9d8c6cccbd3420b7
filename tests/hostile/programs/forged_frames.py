# Forged frames: the runner talks to the host in frames (type, stage, length, payload) and the
# engine multiplexes its stream with 8-byte headers. Write both kinds of headers on stdout: a
# "result" frame claiming exit code 0 and a "done" frame, inside a fake engine header. They must
# come back as plain stdout bytes and the real exit code (3) must be reported.
import os
import struct
import sys

result = struct.pack("<iiIQBBBB", 0, 0, 1, 0, 0, 0, 0, 0)
frames = struct.pack("<BBI", 3, 1, len(result)) + result + struct.pack("<BBI", 4, 0, 0)
engine = struct.pack(">BxxxI", 1, len(frames)) + frames
os.write(1, b"before|" + engine + b"|after\n")
sys.stdout.flush()
raise SystemExit(3)
