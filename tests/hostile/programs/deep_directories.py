# Deep nesting: 3000 folders one inside the other (each "d"), far beyond PATH_MAX as a full path
# and beyond Python's recursion limit for a naive recursive delete. The host must still remove
# the task directory.
import os

depth = 0
for _ in range(3000):
    os.mkdir("d")
    os.chdir("d")
    depth += 1
print("depth", depth)
