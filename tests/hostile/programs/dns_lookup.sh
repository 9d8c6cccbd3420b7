# Name resolution: ask the resolver for example.com. The container has no interface but loopback
# and no route, so a query to any name server cannot leave; getent must fail (exit 2, not found).
getent hosts example.com
echo "getent: $?"
