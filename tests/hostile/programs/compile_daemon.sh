# Daemons started by the compile stage: the "compiler" here leaves a setsid'd loop that keeps
# appending to a file in /tmp, a plain sleeper, and 12 background shells each holding 4 MB, then
# succeeds. The runner must kill them all when the compile stage ends, so that nothing of the
# compile stage runs on in the run stage (run_stage_probe.sh looks).
setsid sh -c 'while :; do echo tick >> /tmp/ticks; sleep 0.05; done' > /dev/null 2>&1 &
(sleep 100 &)
for _ in $(seq 12); do
    (hoard=$(head -c 4000000 /dev/zero | tr '\0' x); sleep 100; echo "${#hoard}") &
done
sleep 0.5
echo compiled
