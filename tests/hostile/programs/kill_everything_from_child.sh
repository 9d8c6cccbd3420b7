# kill -9 -1 from a child: the child's signal also reaches the main shell, which dies by SIGKILL
# before it can print. The runner survives and must report the stage as killed by SIGKILL.
sleep 100 &
sh -c 'kill -9 -1'
echo "not reached"
