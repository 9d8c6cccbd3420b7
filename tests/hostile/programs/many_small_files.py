# Many small files: 3000 files of 100 bytes spread over 30 folders, within the working directory's
# inode budget (4096). Everything must work, and the host must remove the task directory with all
# of it afterwards.
import os

for folder in range(30):
    os.mkdir(f"d{folder}")
    for n in range(100):
        with open(f"d{folder}/f{n}", "w") as out:
            out.write("x" * 100)
print("files", sum(len(files) for _, _, files in os.walk(".")))
