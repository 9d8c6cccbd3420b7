# Mounting: try to mount a tmpfs, to bind-mount / somewhere writable, to remount / read-write, and
# to get mount rights in a new user namespace. Without CAP_SYS_ADMIN every one must fail.
mkdir -p /tmp/m
mount -t tmpfs x /tmp/m 2>/dev/null && echo "MOUNTED tmpfs"
mount --bind / /tmp/m 2>/dev/null && echo "MOUNTED bind"
mount -o remount,rw / 2>/dev/null && echo "REMOUNTED root"
unshare -rm sh -c 'mount -t tmpfs x /tmp/m && echo "MOUNTED in a user namespace"' 2>/dev/null
echo "done"
