# kill -9 -1: signal every process the user may signal (the runner, process 1, is exempt, and the
# caller itself is spared). The background sleep dies; the main shell and the runner go on.
sleep 100 &
kill -9 -1
wait $!
echo "sleep ended with $?"
