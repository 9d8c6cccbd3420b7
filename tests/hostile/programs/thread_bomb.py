# Thread bomb: start sleeping threads until the kernel refuses one. Threads are tasks and count
# against the container's pids limit, so the loop must stop below processLimit; it reports how
# many it got.
import threading
import time

count = 0
try:
    while count < 100_000:
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        count += 1
except RuntimeError as error:
    print("threads", count, error)
