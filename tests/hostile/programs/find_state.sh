# Look for anything an earlier task left (see leave_state.sh).
ls -a /tmp /dev/shm /work
cat /tmp/sandpit-left-behind /dev/shm/sandpit-left-behind /work/sandpit-left-behind 2>/dev/null
echo "LEFT=${LEFT:-unset}"
