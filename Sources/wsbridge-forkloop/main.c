/* The baseline of `wsbridge bench dispatch`: the same trivial program run COUNT times with at
   most PARALLEL at once by a plain fork/exec/waitpid loop in a small C process, the fastest a
   job can start and end on this machine. Prints the seconds it took. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s COUNT PARALLEL PROGRAM\n", argv[0]);
        return 2;
    }
    long count = strtol(argv[1], NULL, 10), parallel = strtol(argv[2], NULL, 10);
    if (count < 1 || parallel < 1) {
        fprintf(stderr, "COUNT and PARALLEL must be positive\n");
        return 2;
    }
    char *args[] = { argv[3], NULL };
    char *env[] = { "PATH=/usr/bin:/bin", NULL };
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long running = 0, started = 0;
    while (started < count || running > 0) {
        while (running < parallel && started < count) {
            pid_t pid = fork();
            if (pid == 0) {
                execve(args[0], args, env);
                _exit(127);
            }
            if (pid < 0) { perror("fork"); return 1; }
            running++;
            started++;
        }
        int status;
        if (waitpid(-1, &status, 0) > 0) running--;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%.6f\n", (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
