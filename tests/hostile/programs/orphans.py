# Orphans: 300 times, fork a child that forks a grandchild and exits at once. The grandchild is
# re-parented to process 1 (the runner) and exits; if the runner did not reap such orphans they
# would pile up as zombies and exhaust the pids limit (16) long before 300.
import os
import time

made = 0
for _ in range(300):
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            time.sleep(0.01)
            os._exit(0)
        os._exit(0)
    os.waitpid(pid, 0)
    made += 1
print("orphans", made)
