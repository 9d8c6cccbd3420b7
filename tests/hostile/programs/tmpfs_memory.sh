# Memory through a tmpfs: /tmp, /dev/shm and the working directory are tmpfs, whose pages are
# memory charged to the container that writes them and are not freed when the writer dies. dd
# writes 60 MiB into the folder given as argument with memoryLimit 16 MiB: the memory limit, not
# the 64 MiB size of the tmpfs, must stop it, with the OOM killer.
exec dd if=/dev/zero of="$1/fill" bs=1M count=60
