# The engine's socket: a program that can reach /var/run/docker.sock owns the host. Look for it
# where it usually is and anywhere on the container's filesystems.
ls -l /var/run/docker.sock /run/docker.sock 2>&1
find / -xdev -name 'docker.sock' 2>/dev/null
find / -name '*.sock' -path '*docker*' 2>/dev/null | head -5
echo "searched"
