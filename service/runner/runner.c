/*
 * sandpit-runner: the trusted process 1 of every task container.
 *
 * It waits on its standard input for the task's stages (so a container can be started before
 * its task arrives), runs each stage as a child with its own wall-clock limit, streams the
 * child's stdout and stderr back in frames, cut at the output limit, and reports how each stage
 * ended. Being process 1 it reaps orphans (no zombies), cannot be killed by `kill -9 -1` from the
 * program, and it marks itself non-dumpable so that the program (same uid) can neither ptrace it
 * nor open /proc/1/fd/1 to forge frames.
 *
 * Input (all integers u32 little-endian):
 *   "SPT1", nstages, then per stage: time_limit_ms, output_limit, argc, argc x (len, bytes),
 *   envc, envc x (len, "NAME=value"), stdin_len, stdin bytes.
 * Output frames: u8 type, u8 stage, u32 length (little-endian), payload.
 *   1 stdout bytes, 2 stderr bytes, 3 stage result (struct result), 4 all done, 5 runner error.
 * A stage runs only if the stage before it exited with code 0.
 *
 * Built static (`make runner`) and bind-mounted read-only into every container, so every image,
 * whatever its libc, runs the same runner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STAGES 2
#define MAX_STRINGS 4096
#define MAX_STRING (16u << 20)
#define DRAIN_AFTER_EXIT_MS 1000

enum { FRAME_STDOUT = 1, FRAME_STDERR = 2, FRAME_RESULT = 3, FRAME_DONE = 4, FRAME_ERROR = 5 };

struct __attribute__((packed)) result {
    int32_t code;        /* exit code, or 128 + signal */
    int32_t signal;      /* terminating signal, 0 if the process exited by itself */
    uint32_t duration_ms;
    uint64_t maxrss_bytes;
    uint8_t oom;         /* the memory cgroup killed something during this stage */
    uint8_t timeout;     /* the runner killed the stage at its time limit */
    uint8_t stdout_truncated;
    uint8_t stderr_truncated;
};

struct stage {
    uint32_t time_limit_ms;
    uint32_t output_limit;
    char **argv;
    char **env;
    char *stdin_data;
    uint32_t stdin_len;
};

static void write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            _exit(3); /* the host went away: nothing left to report to */
        }
        p += n;
        len -= (size_t)n;
    }
}

static void send_frame(uint8_t type, uint8_t stage, const void *payload, uint32_t len) {
    unsigned char header[6] = {type, stage, (unsigned char)(len & 0xff), (unsigned char)((len >> 8) & 0xff),
                               (unsigned char)((len >> 16) & 0xff), (unsigned char)(len >> 24)};
    write_all(1, header, sizeof header);
    if (len) write_all(1, payload, len);
}

static void fail(const char *message) {
    dprintf(2, "sandpit-runner: %s (errno %d)\n", message, errno);
    send_frame(FRAME_ERROR, 0, message, (uint32_t)strlen(message));
    _exit(2);
}

static void read_exact(void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(0, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(4); /* stdin closed before a full spec: the container is being discarded */
        p += n;
        len -= (size_t)n;
    }
}

static uint32_t read_u32(void) {
    unsigned char b[4];
    read_exact(b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static char *read_bytes(uint32_t len) {
    if (len > MAX_STRING) fail("spec: string too long");
    char *s = malloc((size_t)len + 1);
    if (!s) fail("spec: out of memory");
    read_exact(s, len);
    s[len] = 0;
    return s;
}

static char **read_strings(void) {
    uint32_t n = read_u32();
    if (n > MAX_STRINGS) fail("spec: too many strings");
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v) fail("spec: out of memory");
    for (uint32_t i = 0; i < n; i++) v[i] = read_bytes(read_u32());
    return v;
}

/* The image's environment with the stage's entries added (replacing a name already set). */
static char **merge_env(char **extra) {
    extern char **environ;
    size_t base = 0, more = 0;
    while (environ[base]) base++;
    while (extra[more]) more++;
    char **env = calloc(base + more + 1, sizeof *env);
    if (!env) fail("out of memory");
    size_t n = 0;
    for (size_t i = 0; i < base; i++) {
        size_t name_len = strcspn(environ[i], "=");
        int replaced = 0;
        for (size_t j = 0; j < more; j++)
            if (strncmp(extra[j], environ[i], name_len) == 0 && extra[j][name_len] == '=') replaced = 1;
        if (!replaced) env[n++] = environ[i];
    }
    for (size_t j = 0; j < more; j++) env[n++] = extra[j];
    return env;
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* How many times the memory cgroup has killed a process (cgroup v1 or v2); 0 where unknown. */
static long oom_kills(void) {
    static const char *files[] = {"/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"};
    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "re");
        if (!f) continue;
        char key[64];
        long value;
        while (fscanf(f, "%63s %ld", key, &value) == 2) {
            if (strcmp(key, "oom_kill") == 0) {
                fclose(f);
                return value;
            }
        }
        fclose(f);
    }
    return 0;
}

static int make_stdin(const struct stage *s) {
    int fd = memfd_create("stdin", MFD_CLOEXEC);
    if (fd < 0) fail("memfd_create failed");
    if (s->stdin_len) write_all(fd, s->stdin_data, s->stdin_len);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static void exec_child(const struct stage *s, int in, int out, int err, const sigset_t *old_mask) {
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    execvpe(s->argv[0], s->argv, merge_env(s->env));
    int saved = errno;
    dprintf(2, "sandpit: cannot execute %s: %s\n", s->argv[0], strerror(saved));
    _exit(saved == ENOENT ? 127 : 126);
}

/* Forward what a pipe has, up to the limit; past it read and discard so the program never blocks. */
static int pump(int fd, uint8_t type, uint8_t stage_index, uint32_t limit, uint32_t *sent, uint8_t *truncated) {
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (n <= 0) return 0;
    uint32_t room = limit - *sent;
    uint32_t keep = (uint32_t)n < room ? (uint32_t)n : room;
    if (keep) send_frame(type, stage_index, buf, keep);
    *sent += keep;
    if ((uint32_t)n > keep) *truncated = 1;
    return 1;
}

static void reap(pid_t child, int *child_status, struct rusage *child_usage, int *child_done) {
    for (;;) {
        int status;
        struct rusage usage;
        pid_t pid = wait4(-1, &status, WNOHANG, &usage);
        if (pid <= 0) return;
        if (pid == child) {
            *child_status = status;
            *child_usage = usage;
            *child_done = 1;
        }
    }
}

static int run_stage(const struct stage *s, uint8_t index, int sigfd, const sigset_t *old_mask) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) fail("pipe failed");
    int in = make_stdin(s);
    long oom_before = oom_kills();
    uint64_t start = now_ms();
    uint64_t deadline = start + s->time_limit_ms;

    pid_t child = fork();
    if (child < 0) fail("fork failed");
    if (child == 0) exec_child(s, in, out[1], err[1], old_mask);
    close(in);
    close(out[1]);
    close(err[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);

    struct result r = {0};
    uint32_t sent_out = 0, sent_err = 0;
    int out_open = 1, err_open = 1, child_done = 0, status = 0;
    struct rusage usage = {0};
    uint64_t end = 0;

    while (out_open || err_open || !child_done) {
        uint64_t now = now_ms();
        if (!child_done && now >= deadline && !r.timeout) {
            r.timeout = 1;
            kill(-1, SIGKILL); /* every process of the task; process 1 (us) is spared */
        }
        if (child_done && now >= end + DRAIN_AFTER_EXIT_MS) break; /* a pipe held open by a wedged process */
        uint64_t wake = child_done ? end + DRAIN_AFTER_EXIT_MS : (r.timeout ? now + 100 : deadline);
        struct pollfd fds[3] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}, {sigfd, POLLIN, 0}};
        int ready = poll(fds, 3, wake > now ? (int)(wake - now) : 0);
        if (ready < 0 && errno != EINTR) fail("poll failed");
        if (out_open && fds[0].revents) out_open = pump(out[0], FRAME_STDOUT, index, s->output_limit, &sent_out, &r.stdout_truncated);
        if (err_open && fds[1].revents) err_open = pump(err[0], FRAME_STDERR, index, s->output_limit, &sent_err, &r.stderr_truncated);
        if (fds[2].revents) {
            struct signalfd_siginfo info;
            while (read(sigfd, &info, sizeof info) > 0) {
            }
        }
        if (!child_done) {
            reap(child, &status, &usage, &child_done);
            if (child_done) {
                end = now_ms();
                /* The stage is over when its main process is: background leftovers go too. */
                kill(-1, SIGKILL);
            }
        } else {
            reap(child, &status, &usage, &child_done);
        }
    }
    close(out[0]);
    close(err[0]);
    /* Nothing of this stage may outlive it: kill and wait until every process is gone (as process
     * 1 every orphan is our child), so the next stage starts with all of its process slots. */
    kill(-1, SIGKILL);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
    }

    r.duration_ms = (uint32_t)(end - start);
    r.maxrss_bytes = (uint64_t)usage.ru_maxrss * 1024;
    r.oom = oom_kills() > oom_before;
    if (WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
        r.code = 128 + r.signal;
    } else {
        r.code = WEXITSTATUS(status);
    }
    send_frame(FRAME_RESULT, index, &r, sizeof r);
    return r.code == 0 && !r.timeout && !r.oom;
}

int main(void) {
    /* kill(-1) is only safe inside a container's own PID namespace. */
    if (getpid() != 1) {
        fprintf(stderr, "sandpit-runner must be process 1 of a container\n");
        return 1;
    }
    prctl(PR_SET_DUMPABLE, 0);
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask, old_mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, &old_mask);
    int sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigfd < 0) fail("signalfd failed");

    char magic[4];
    read_exact(magic, 4);
    if (memcmp(magic, "SPT1", 4) != 0) fail("spec: bad magic");
    uint32_t count = read_u32();
    if (count > MAX_STAGES) fail("spec: too many stages");
    struct stage stages[MAX_STAGES];
    for (uint32_t i = 0; i < count; i++) {
        stages[i].time_limit_ms = read_u32();
        stages[i].output_limit = read_u32();
        stages[i].argv = read_strings();
        stages[i].env = read_strings();
        if (!stages[i].argv[0] || !stages[i].argv[0][0]) fail("spec: empty argv");
        stages[i].stdin_len = read_u32();
        stages[i].stdin_data = read_bytes(stages[i].stdin_len);
    }
    for (uint32_t i = 0; i < count; i++) {
        if (!run_stage(&stages[i], (uint8_t)i, sigfd, &old_mask)) break;
    }
    send_frame(FRAME_DONE, 0, NULL, 0);
    return 0;
}
