# Descriptor exhaustion: open /dev/null until the kernel refuses, then try to raise the limit.
# RLIMIT_NOFILE is 256 soft and hard: opening must fail with EMFILE at about 256 descriptors and
# raising the hard limit must be refused.
import errno
import os
import resource

descriptors = []
try:
    while len(descriptors) < 100_000:
        descriptors.append(os.open("/dev/null", os.O_RDONLY))
except OSError as error:
    print(errno.errorcode[error.errno], len(descriptors), max(descriptors))
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    print("raised")
except (ValueError, OSError) as error:
    print("raise refused:", error)
