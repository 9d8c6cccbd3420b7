# Memory bomb: allocate and touch 16 MiB chunks forever (bytearray zero-fills, so the pages are
# really used). The container's memory limit (no swap) must end it with the OOM killer.
chunks = []
while True:
    chunks.append(bytearray(16 << 20))
