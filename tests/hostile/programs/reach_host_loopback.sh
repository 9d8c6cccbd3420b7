# Reach the host's services: connect to 127.0.0.1 at the port the sandpit API listens on (given as
# an argument). The container's loopback is its own, not the host's, so the connection must be
# refused: a program cannot call the API, or anything else bound to the host's loopback.
if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then echo "connected"; else echo "refused"; fi
