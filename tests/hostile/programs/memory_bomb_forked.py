# Spread memory bomb: eight children each touch 48 MiB and hold it for a second, 384 MiB together,
# more than the task's memory. No single process exceeds the limit, but the container's cgroup
# counts them all, so the OOM killer must strike. The parent reports how its children ended and
# fails if any was killed.
import os
import signal
import time

children = []
for _ in range(8):
    pid = os.fork()
    if pid == 0:
        hoard = bytearray(48 << 20)
        time.sleep(1)
        os._exit(0 if hoard else 1)
    children.append(pid)
killed = 0
for pid in children:
    _, status = os.waitpid(pid, 0)
    killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
print("killed", killed)
raise SystemExit(1 if killed else 0)
