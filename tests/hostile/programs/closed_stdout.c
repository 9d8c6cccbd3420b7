/*
 * Closed stdout: print a line, close file descriptor 1, then keep writing to it, 100000 times,
 * and reopen something on descriptor 1 (open() takes the lowest free one) to write there. The
 * writes fail with EBADF or go to the file; the runner sees end-of-file on the stdout pipe while the
 * program still runs and must neither hang nor lose the stderr report.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    printf("before close\n");
    fflush(stdout);
    close(1);
    ssize_t n = write(1, "lost\n", 5);
    fprintf(stderr, "write after close: %zd %s\n", n, strerror(errno));
    for (int i = 0; i < 100000; i++) {
        if (printf("into the void %d\n", i) < 0) break;
    }
    fflush(stdout);
    int fd = open("elsewhere", O_WRONLY | O_CREAT, 0644);
    fprintf(stderr, "reopened as %d\n", fd);
    fprintf(stderr, "done\n");
    return 0;
}
