# Busy loop: the main shell and three background shells spin on the CPU forever. Only the time
# limit can end them, and killing the main process is not enough: the runner must kill the
# background spinners too (the leak check then sees an idle container).
for _ in 1 2 3; do
    while :; do :; done &
done
while :; do :; done
