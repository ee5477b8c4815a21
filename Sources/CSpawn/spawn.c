#define _GNU_SOURCE
#include "cspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Steps the child reports when it fails; the parent turns them into words. */
enum {
    STEP_STDIN = 1, STEP_STDOUT, STEP_STDERR, STEP_CGROUP, STEP_RLIMIT, STEP_SETSID,
    STEP_GROUPS, STEP_GID, STEP_UID, STEP_CHDIR, STEP_EXEC
};

/* Only async-signal-safe calls from here to execve: the parent may have many threads. */
static void report(int fd, int step, int err) {
    int msg[2] = { step, err };
    ssize_t ignored = write(fd, msg, sizeof msg);
    (void)ignored;
    _exit(127);
}

static int open_onto(const char *path, int flags, int target) {
    int fd = open(path ? path : "/dev/null", flags, 0644);
    if (fd < 0) return -1;
    if (fd != target) {
        if (dup2(fd, target) < 0) return -1;
        close(fd);
    }
    return 0;
}

static size_t format_pid(char *buf, pid_t pid) {
    char tmp[24];
    size_t n = 0;
    unsigned long v = (unsigned long)pid;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = '\n';
    return n + 1;
}

static void child(const ws_spawn_options *o, int errfd) {
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < 32; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);

    if (o->new_session && setsid() < 0) report(errfd, STEP_SETSID, errno);
    if (o->cgroup_procs) {
        char buf[32];
        size_t len = format_pid(buf, getpid());
        for (char *const *p = o->cgroup_procs; *p; p++) {
            int fd = open(*p, O_WRONLY);
            if (fd < 0 || write(fd, buf, len) < 0) report(errfd, STEP_CGROUP, errno);
            close(fd);
        }
    }
    for (size_t i = 0; i < o->nlimits; i++) {
        struct rlimit rl = { (rlim_t)o->limits[i].soft, (rlim_t)o->limits[i].hard };
        if (setrlimit(o->limits[i].resource, &rl) < 0) report(errfd, STEP_RLIMIT, errno);
    }
    if (o->set_identity) {
        if (setgroups(o->ngroups, o->groups) < 0) report(errfd, STEP_GROUPS, errno);
        if (setgid(o->gid) < 0) report(errfd, STEP_GID, errno);
        if (setuid(o->uid) < 0) report(errfd, STEP_UID, errno);
    }
    /* As the job's own user, so that permissions are the user's, not ours. */
    if (o->directory && chdir(o->directory) < 0) report(errfd, STEP_CHDIR, errno);
    int out_flags = O_WRONLY | O_CREAT | (o->stdout_append ? O_APPEND : O_TRUNC);
    if (open_onto(o->stdin_path, O_RDONLY, 0) < 0) report(errfd, STEP_STDIN, errno);
    if (open_onto(o->stdout_path, out_flags, 1) < 0) report(errfd, STEP_STDOUT, errno);
    if (o->stderr_path && o->stdout_path && strcmp(o->stderr_path, o->stdout_path) == 0) {
        if (dup2(1, 2) < 0) report(errfd, STEP_STDERR, errno);
    } else if (open_onto(o->stderr_path, out_flags, 2) < 0) {
        report(errfd, STEP_STDERR, errno);
    }
    /* Close everything else but the error pipe (close-on-exec) and the descriptor to keep. */
    for (int fd = 3; fd < 1024; fd++) if (fd != errfd && fd != o->keep_fd) close(fd);
    execve(o->path, o->argv, o->envp);
    report(errfd, STEP_EXEC, errno);
}

static const char *step_words(int step) {
    switch (step) {
    case STEP_STDIN: return "cannot open input";
    case STEP_STDOUT: return "cannot open output";
    case STEP_STDERR: return "cannot open error output";
    case STEP_CGROUP: return "cannot join the workspace cgroup";
    case STEP_RLIMIT: return "cannot set a resource limit";
    case STEP_SETSID: return "cannot start a session";
    case STEP_GROUPS: return "cannot set supplementary groups";
    case STEP_GID: return "cannot switch group";
    case STEP_UID: return "cannot switch user";
    case STEP_CHDIR: return "cannot enter directory";
    case STEP_EXEC: return "cannot execute";
    default: return "cannot start";
    }
}

static const char *step_subject(const ws_spawn_options *o, int step) {
    switch (step) {
    case STEP_STDIN: return o->stdin_path ? o->stdin_path : "/dev/null";
    case STEP_STDOUT: return o->stdout_path ? o->stdout_path : "/dev/null";
    case STEP_STDERR: return o->stderr_path ? o->stderr_path : "/dev/null";
    case STEP_CHDIR: return o->directory;
    case STEP_EXEC: return o->path;
    default: return NULL;
    }
}

int ws_spawn(const ws_spawn_options *o, pid_t *pid, char *err, size_t errlen) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t p = fork();
    if (p < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (p == 0) {
        close(pipefd[0]);
        child(o, pipefd[1]);
    }
    close(pipefd[1]);
    int msg[2];
    ssize_t n;
    do { n = read(pipefd[0], msg, sizeof msg); } while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    if (n == (ssize_t)sizeof msg) {
        int status;
        while (waitpid(p, &status, 0) < 0 && errno == EINTR) {}
        const char *subject = step_subject(o, msg[0]);
        if (subject)
            snprintf(err, errlen, "%s %s: %s", step_words(msg[0]), subject, strerror(msg[1]));
        else
            snprintf(err, errlen, "%s: %s", step_words(msg[0]), strerror(msg[1]));
        return -1;
    }
    *pid = p;
    return 0;
}

int ws_peer_credentials(int fd, uid_t *uid, gid_t *gid, pid_t *pid) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) return -1;
    *uid = cred.uid;
    *gid = cred.gid;
    *pid = cred.pid;
    return 0;
}

int ws_wifexited(int status) { return WIFEXITED(status); }
int ws_wexitstatus(int status) { return WEXITSTATUS(status); }
int ws_wifsignaled(int status) { return WIFSIGNALED(status); }
int ws_wtermsig(int status) { return WTERMSIG(status); }
int ws_wifstopped(int status) { return WIFSTOPPED(status); }

int ws_append_as(uid_t uid, gid_t gid, const char *path, const void *data, size_t length) {
    int switched = geteuid() == 0;
    uid_t old_uid = 0;
    gid_t old_gid = 0;
    if (switched) {
        old_gid = (gid_t)setfsgid(gid);
        old_uid = (uid_t)setfsuid(uid);
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    int saved = errno;
    /* Created files belong to the file-system uid: the user's, as they should. */
    if (switched) {
        setfsuid(old_uid);
        setfsgid(old_gid);
    }
    if (fd < 0) { errno = saved; return -1; }
    const char *p = data;
    size_t left = length;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) { if (errno == EINTR) continue; saved = errno; close(fd); errno = saved; return -1; }
        p += n;
        left -= (size_t)n;
    }
    close(fd);
    return 0;
}

int ws_open_as(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, const char *path, int flags, mode_t mode) {
    if (geteuid() != 0) return open(path, flags, mode);
    gid_t saved_groups[256];
    long nsaved = syscall(SYS_getgroups, 256, saved_groups);
    if (nsaved < 0) return -1;
    if (syscall(SYS_setgroups, ngroups, groups) != 0) return -1;
    gid_t old_gid = (gid_t)setfsgid(gid);
    uid_t old_uid = (uid_t)setfsuid(uid);
    int fd = open(path, flags, mode);
    int saved = errno;
    setfsuid(old_uid);
    setfsgid(old_gid);
    syscall(SYS_setgroups, (size_t)nsaved, saved_groups);
    errno = saved;
    return fd;
}
