# The run stage after compile_daemon.sh: list every process besides the runner and this shell. A
# process with a command line still has its program; one without is already being torn down (the
# kernel empties it on exit). Then check whether the compile stage's ticker still appends.
for entry in /proc/[0-9]*; do
    pid=${entry#/proc/}
    if [ "$pid" != 1 ] && [ "$pid" != $$ ]; then
        read -r stat < "$entry/stat" 2>/dev/null
        read -r -d '' command < "$entry/cmdline" 2>/dev/null
        if [ -n "$command" ]; then echo "live process: $pid $command"; else echo "exiting process: ${stat:0:40}"; fi
    fi
done
before=$(wc -l < /tmp/ticks)
sleep 0.5
after=$(wc -l < /tmp/ticks)
echo "ticker grew: $((after - before))"
