# Output flood: `yes` writes "y" lines to stdout as fast as it can while a second `yes` floods
# stderr, forever. The runner must keep only outputLimit bytes of each, drain and discard the
# rest so the writers never block the pipe, and end the stage at its time limit.
yes stderr >&2 &
exec yes
