# Symlinks planted to host paths: links in the working directory (which is a folder on the host)
# point at /etc/shadow, at /, and at a file and a folder of the host given as arguments. If the
# service followed them while cleaning up (chown, chmod, recursive delete) it would change or
# delete host files; it must only ever remove the links themselves.
ln -s /etc/shadow shadow
ln -s / root
ln -s "$1" victim
ln -s "$2" victim_dir
mkdir -p nested/deeper
ln -s "$2" nested/deeper/victim_dir
ln -s "$1" nested/victim
ln -s ../../.. nested/deeper/up
ln -s loop loop
chmod 000 nested/deeper
ls -l victim victim_dir shadow root | wc -l
