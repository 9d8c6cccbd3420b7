# Ignore polite signals: trap TERM, INT, HUP and QUIT and loop in a child that ignores them too.
# A sandbox that asks with SIGTERM first would wait forever; the time limit must use SIGKILL.
trap '' TERM INT HUP QUIT
sh -c 'trap "" TERM INT HUP QUIT; while :; do sleep 0.1; done' &
while :; do sleep 0.1; done
