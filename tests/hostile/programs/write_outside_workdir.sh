# Writes outside the working directory: create, append to, or replace files in /, /etc, /usr,
# /home, /var, /root, /opt, /bin and the runner's own binary. The root filesystem is read-only and
# the runner is a read-only bind mount: each must fail. /tmp and /work are the writable places.
for target in /x /etc/x /usr/x /home/x /var/x /root/x /opt/x /bin/x /etc/passwd /.sandpit/runner /usr/bin/env; do
    if (echo pwned >> "$target") 2>/dev/null; then echo "WROTE $target"; else echo "refused $target"; fi
done
(echo ok > /tmp/x) && echo "tmp ok"
(echo ok > /work/x) && echo "work ok"
