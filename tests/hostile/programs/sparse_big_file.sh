# A file bigger than RLIMIT_FSIZE (64 MiB) without using any space: dd seeks to 100 MiB and writes
# one block there, making a sparse file. The write past the limit must raise SIGXFSZ, which kills
# dd (exec'd, so it is the stage's main process).
exec dd if=/dev/zero of=/tmp/big bs=1M seek=100 count=1
