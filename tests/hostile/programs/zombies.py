# Zombies: fork children that exit at once and never reap them, until fork fails or 200 exist.
# Zombies hold their process slots, so the pids limit stops the forking; when the parent exits the
# zombies pass to process 1 (the runner), which must reap them so the task ends cleanly.
import os
import time

zombies = 0
try:
    while zombies < 200:
        if os.fork() == 0:
            os._exit(0)
        zombies += 1
except OSError as error:
    print("fork failed:", error.strerror)


def count_zombies() -> int:
    states = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and entry not in ("1", str(os.getpid())):
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    states.append(stat.read().rsplit(")", 1)[1].split()[0])
            except OSError:
                pass
    return states.count("Z")


for _ in range(50):  # give every child time to exit
    if count_zombies() == zombies:
        break
    time.sleep(0.1)
print("zombies", zombies, "seen", count_zombies())
