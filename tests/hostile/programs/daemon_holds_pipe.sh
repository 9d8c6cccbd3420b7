# Daemonised children holding the output pipes: a double-forked sleep ("(sleep 100 &)"), a setsid
# nohup sleep and a setsid shell that ignores HUP and TERM, all inheriting stdout and stderr, and a
# background loop that keeps writing. The main shell exits at once: the runner must kill them all
# and finish the stage quickly instead of waiting for the pipes to close.
(sleep 100 &)
setsid nohup sleep 100 &
setsid sh -c 'trap "" HUP TERM INT; exec sleep 100' &
(while :; do echo spam; done &)
echo started
