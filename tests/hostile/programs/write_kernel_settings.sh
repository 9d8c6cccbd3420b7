# Kernel and cgroup settings: try to write files under /proc/sys and /sys, including the
# container's own memory and pids limits, that change the kernel or lift the sandbox's limits.
# Only harmless values are written, and every write must fail.
for file in /proc/sys/vm/drop_caches /proc/sys/kernel/domainname /proc/sys/kernel/hostname \
    /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids/pids.max \
    /sys/fs/cgroup/pids.max /sys/class/net/lo/mtu; do
    if (echo 1 > "$file") 2>/dev/null; then echo "WROTE $file"; else echo "refused $file"; fi
done
