/* bench_exec.c - run one command and measure it: wall time, CPU time (user
 * and system, microseconds) and peak RSS, from wait4 (no RFC).
 *
 * A measuring parent that is small matters: a child forked from a Python
 * process starts with the parent's pages counted in its RSS, which would
 * hide the peak of a small program.
 *
 *   bench_exec RESULT OUT COMMAND [ARG...]
 *
 * runs COMMAND with its standard output into OUT ("-": /dev/null) and its
 * standard error inherited, then writes "wall cpu maxrss_kib status" to
 * RESULT (status: exit code, or -signal). Exits 0 unless it could not run.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_exec RESULT OUT COMMAND [ARG...]\n");
        return 2;
    }
    const char *out = strcmp(argv[2], "-") == 0 ? "/dev/null" : argv[2];
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror(out);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        if (dup2(fd, STDOUT_FILENO) < 0)
            _exit(127);
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    close(fd);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("wait4");
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
    FILE *r = fopen(argv[1], "w");
    if (!r) {
        perror(argv[1]);
        return 2;
    }
    fprintf(r, "%.6f %.6f %ld %d\n", wall, tv_seconds(ru.ru_utime) + tv_seconds(ru.ru_stime),
            ru.ru_maxrss, code);
    return fclose(r) == 0 ? 0 : 2;
}
