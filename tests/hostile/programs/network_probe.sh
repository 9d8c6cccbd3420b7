# Network reconnaissance, read-only: list the interfaces the kernel knows in this network
# namespace and its IPv4 and IPv6 routing tables. Nothing is sent anywhere. Only loopback may
# exist, and no route may lead off it.
echo "interfaces: $(ls /sys/class/net | tr '\n' ' ')"
echo "dev: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
echo "ipv4 routes: $(tail -n +2 /proc/net/route | wc -l)"
echo "ipv6 routes:"
cat /proc/net/ipv6_route
