# Fork bomb: the function calls itself twice through a pipe, in the background, so the number of
# processes doubles until fork fails; then the main shell waits and sleeps so that only the time
# limit can end it. The container's pids limit must cap the bomb and the runner must kill it all.
bomb() { bomb | bomb & }
bomb
wait
sleep 30
