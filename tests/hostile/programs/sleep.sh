# Sleep: use no CPU at all, just wait far past the time limit. A limit on CPU time alone would
# never end it; the wall-clock limit must.
sleep 300
