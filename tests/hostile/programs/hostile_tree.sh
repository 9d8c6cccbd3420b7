# A tree that is hard to delete: folders with mode 000 (even the working directory itself), a
# FIFO nobody reads, file names with a newline and with bytes that are not UTF-8, read-only files.
# The host must still remove the whole task directory (the leak check verifies it).
mkdir -p locked/inner/innermost
echo secret > locked/inner/innermost/file
mkfifo locked/inner/fifo
touch "locked/new
line" "locked/$(printf '\xff\xfe')"
chmod 444 locked/inner/innermost/file
chmod 000 locked/inner/innermost locked/inner locked
chmod 000 .
echo planted
