#define _GNU_SOURCE
#include "cspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <unistd.h>

/* The mount API of Linux 5.2 (open_tree, move_mount) and 5.12 (mount_setattr), for C libraries
   that do not declare it: the numbers are the same on every architecture. */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define WS_MOUNT_ATTR_RDONLY 0x00000001
struct ws_mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };

/* Steps the child reports when it fails; the parent turns them into words. */
enum {
    STEP_STDIN = 1, STEP_STDOUT, STEP_STDERR, STEP_CGROUP, STEP_RLIMIT, STEP_SETSID,
    STEP_GROUPS, STEP_GID, STEP_UID, STEP_CHDIR, STEP_EXEC,
    STEP_NAMESPACE, STEP_READ_ONLY, STEP_PRIVATE_DIR, STEP_WRITABLE
};

/* Writable trees one run may have (the caller's list is cut to this many). */
#define MAX_WRITABLE 64

/* What the child works with. It shares the parent's memory (see `ws_spawn`), so everything it
   writes lives here, in memory of this spawn's own, never in globals another spawn may use. */
typedef struct {
    const ws_spawn_options *o;
    int errfd;
    /* Where each writable tree goes: the path its clone was found at, symlinks resolved (a path
       through a symlink may lead under a private /tmp). */
    char writable_targets[MAX_WRITABLE][4096];
} child_context;

/* The private file systems each run gets over the read-only root (the index in a report).
   /var/tmp only from a scratch disk: a tmpfs there would be one more place a job fills memory. */
#define PRIVATE_DIRS 3
static const char *const private_dirs[PRIVATE_DIRS] = { "/tmp", "/dev/shm", "/var/tmp" };

/* Only async-signal-safe calls from here to execve: the parent may have many threads. */
static void report_item(int fd, int step, int err, int item) {
    int msg[3] = { step, err, item };
    ssize_t ignored = write(fd, msg, sizeof msg);
    (void)ignored;
    _exit(127);
}

static void report(int fd, int step, int err) { report_item(fd, step, err, 0); }

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

/* Changes the directory and opens stdin, stdout and stderr: as the job's user, so that
   permissions are the user's, not ours. */
static void open_job_files(const ws_spawn_options *o, int errfd) {
    if (o->directory && chdir(o->directory) < 0) report(errfd, STEP_CHDIR, errno);
    int out_flags = O_WRONLY | O_CREAT | (o->stdout_append ? O_APPEND : O_TRUNC);
    if (open_onto(o->stdin_path, O_RDONLY, 0) < 0) report(errfd, STEP_STDIN, errno);
    if (open_onto(o->stdout_path, out_flags, 1) < 0) report(errfd, STEP_STDOUT, errno);
    if (o->stderr_path && o->stdout_path && strcmp(o->stderr_path, o->stdout_path) == 0) {
        if (dup2(1, 2) < 0) report(errfd, STEP_STDERR, errno);
    } else if (open_onto(o->stderr_path, out_flags, 2) < 0) {
        report(errfd, STEP_STDERR, errno);
    }
}

/* Makes the directories of `path` that are missing (a writable tree under a private /tmp). */
static int make_mount_point(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0) return 0;
    char buf[4096];
    size_t len = strlen(path);
    if (len >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
        buf[i] = saved;
    }
    return 0;
}

/* The host's file system as one run sees it, in a mount namespace of the run's own: all of it
   read-only, a /tmp and /dev/shm of the run's own (gone with the run), and the writable paths
   (the job's directory, its owner's home, a class's writable binds) writable as before.
   As root, before the identity switch; the files the job names (directory, stdin, stdout,
   stderr) are opened first, as the user, on the host's view, so they may be anywhere the user
   may write, as without the namespace. (Opened in the new namespace, they would also keep its
   mounts from turning read-only: a mount with a file open for writing cannot.) */
static void enter_private_mounts(const ws_spawn_options *o, int errfd, char (*writable_targets)[4096]) {
    if (o->set_identity) {
        if (syscall(SYS_setgroups, o->ngroups, o->groups) < 0) report(errfd, STEP_GROUPS, errno);
        setfsgid(o->gid);
        setfsuid(o->uid);
    }
    open_job_files(o, errfd);
    if (unshare(CLONE_NEWNS) < 0) report(errfd, STEP_NAMESPACE, errno);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) report(errfd, STEP_NAMESPACE, errno);
    /* Detached copies of the writable trees, looked up with the user's rights (a path the user
       cannot reach, or that does not exist, stays read-only): making the root read-only below
       leaves these copies as they are. */
    int trees[MAX_WRITABLE];
    int ntrees = 0;
    for (char *const *p = o->writable_paths; p && *p && ntrees < MAX_WRITABLE; p++, ntrees++) {
        trees[ntrees] = -1;
        int dir = open(*p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) {
            if (errno == ENOENT || errno == EACCES || errno == ENOTDIR) continue;
            report_item(errfd, STEP_WRITABLE, errno, ntrees);
        }
        char link[48] = "/proc/self/fd/";
        size_t len = format_pid(link + 14, dir);
        link[14 + len - 1] = '\0'; /* for the newline */
        ssize_t n = readlink(link, writable_targets[ntrees], sizeof writable_targets[ntrees] - 1);
        if (n < 0) report_item(errfd, STEP_WRITABLE, errno, ntrees);
        if ((size_t)n >= sizeof writable_targets[ntrees] - 1) report_item(errfd, STEP_WRITABLE, ENAMETOOLONG, ntrees);
        if (n == 0 || writable_targets[ntrees][0] != '/') report_item(errfd, STEP_WRITABLE, EINVAL, ntrees);
        writable_targets[ntrees][n] = '\0';
        trees[ntrees] = (int)syscall(SYS_open_tree, dir, "", OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        if (trees[ntrees] < 0) report_item(errfd, STEP_WRITABLE, errno, ntrees);
        close(dir);
    }
    if (o->set_identity) {
        setfsuid(0);
        setfsgid(0);
    }
    /* The scratch directories, detached before the root turns read-only (it would take the
       scratch disk's mount with it), as root: they sit where no user may look. */
    int sources[PRIVATE_DIRS] = { -1, -1, -1 };
    for (int i = 0; o->private_dir_sources && i < PRIVATE_DIRS; i++) {
        const char *source = o->private_dir_sources[i];
        if (!source) report_item(errfd, STEP_PRIVATE_DIR, EINVAL, i);
        sources[i] = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | O_CLOEXEC);
        if (sources[i] < 0) report_item(errfd, STEP_PRIVATE_DIR, errno, i);
    }
    struct ws_mount_attr read_only = { .attr_set = WS_MOUNT_ATTR_RDONLY };
    if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &read_only, sizeof read_only) < 0)
        report(errfd, STEP_READ_ONLY, errno);
    for (int i = 0; i < PRIVATE_DIRS; i++) {
        struct stat st;
        if (stat(private_dirs[i], &st) < 0 || !S_ISDIR(st.st_mode)) continue;
        if (sources[i] >= 0) {
            if (syscall(SYS_move_mount, sources[i], "", AT_FDCWD, private_dirs[i], MOVE_MOUNT_F_EMPTY_PATH) < 0)
                report_item(errfd, STEP_PRIVATE_DIR, errno, i);
            close(sources[i]);
        } else if (!o->private_dir_sources && i < 2 &&
                   mount("tmpfs", private_dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0) {
            report_item(errfd, STEP_PRIVATE_DIR, errno, i);
        }
    }
    for (int i = 0; i < ntrees; i++) {
        if (trees[i] < 0) continue;
        const char *target = writable_targets[i];
        if (make_mount_point(target) < 0 ||
            syscall(SYS_move_mount, trees[i], "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            report_item(errfd, STEP_WRITABLE, errno, i);
        close(trees[i]);
    }
}

/* Closes every descriptor from 3 up but `errfd` and `keep` (-1: none), one system call per range. */
static void close_others(int errfd, int keep) {
    int kept[2] = { errfd, keep }, n = 0;
    int sorted[2];
    for (int i = 0; i < 2; i++) if (kept[i] >= 3) sorted[n++] = kept[i];
    if (n == 2 && sorted[0] > sorted[1]) { int t = sorted[0]; sorted[0] = sorted[1]; sorted[1] = t; }
    unsigned int from = 3;
    for (int i = 0; i <= n; i++) {
        /* The range up to the next descriptor to keep, or to the end. */
        unsigned int to = i < n ? (unsigned int)sorted[i] - 1 : ~0U;
        if (from <= to && syscall(SYS_close_range, from, to, 0) < 0) {
            /* A kernel before 5.9: one by one, as far as descriptors usually go. */
            for (unsigned int fd = from; fd <= to && fd < 1024; fd++) close((int)fd);
        }
        if (i < n) from = (unsigned int)sorted[i] + 1;
    }
}

static int child(void *arg) {
    child_context *c = arg;
    const ws_spawn_options *o = c->o;
    int errfd = c->errfd;
    /* Signals are blocked (the parent blocked them before the clone): default handlers first,
       then unblocked, so that none of the parent's handlers ever runs here. */
    for (int s = 1; s < 65; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);

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
    if (o->private_mounts) enter_private_mounts(o, errfd, c->writable_targets);
    /* Raw system calls: glibc's setuid and friends would ask every thread of the parent, whose
       memory this child shares, to switch too. */
    if (o->set_identity) {
        if (syscall(SYS_setgroups, o->ngroups, o->groups) < 0) report(errfd, STEP_GROUPS, errno);
        if (syscall(SYS_setresgid, o->gid, o->gid, o->gid) < 0) report(errfd, STEP_GID, errno);
        if (syscall(SYS_setresuid, o->uid, o->uid, o->uid) < 0) report(errfd, STEP_UID, errno);
    }
    if (!o->private_mounts) {
        open_job_files(o, errfd);
    } else if (o->directory && chdir(o->directory) < 0) {
        /* Again: the directory may now be a writable tree over the read-only one. */
        report(errfd, STEP_CHDIR, errno);
    }
    /* Close everything else but the error pipe (close-on-exec) and the descriptor to keep. */
    close_others(errfd, o->keep_fd);
    execve(o->path, o->argv, o->envp);
    report(errfd, STEP_EXEC, errno);
    return 127;
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
    case STEP_NAMESPACE: return "cannot make the run's mount namespace";
    case STEP_READ_ONLY: return "cannot make the host's file system read-only";
    case STEP_PRIVATE_DIR: return "cannot mount a private";
    case STEP_WRITABLE: return "cannot make writable";
    default: return "cannot start";
    }
}

static size_t count_strings(char *const *list) {
    size_t n = 0;
    while (list && list[n]) n++;
    return n;
}

static const char *step_subject(const ws_spawn_options *o, int step, int item) {
    switch (step) {
    case STEP_PRIVATE_DIR:
        return item >= 0 && item < PRIVATE_DIRS ? private_dirs[item] : NULL;
    case STEP_WRITABLE:
        return item >= 0 && (size_t)item < count_strings(o->writable_paths) ? o->writable_paths[item] : NULL;
    case STEP_STDIN: return o->stdin_path ? o->stdin_path : "/dev/null";
    case STEP_STDOUT: return o->stdout_path ? o->stdout_path : "/dev/null";
    case STEP_STDERR: return o->stderr_path ? o->stderr_path : "/dev/null";
    case STEP_CHDIR: return o->directory;
    case STEP_EXEC: return o->path;
    default: return NULL;
    }
}

/* The child's stack; its context (with the writable targets) sits below it in the same mapping. */
#define CHILD_STACK (256 * 1024)

/* The child shares our memory and we wait until it has called execve or exited (CLONE_VM |
   CLONE_VFORK, as posix_spawn does): the cost of starting a job no longer grows with the size of
   the process that starts it (no page tables to copy, none to tear down at exec). */
int ws_spawn(const ws_spawn_options *o, pid_t *pid, int *error_number, char *err, size_t errlen) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        *error_number = errno;
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    size_t size = sizeof(child_context) + CHILD_STACK;
    void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mem == MAP_FAILED) {
        *error_number = errno;
        snprintf(err, errlen, "fork: cannot map the child's stack: %s", strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    child_context *context = mem;
    context->o = o;
    context->errfd = pipefd[1];
    /* No handler of ours may run in the child (it would run on memory we share): all signals
       are blocked across the clone, and the child restores defaults before unblocking. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t p = clone(child, (char *)mem + size, CLONE_VM | CLONE_VFORK | SIGCHLD, context);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    munmap(mem, size);
    if (p < 0) {
        *error_number = clone_errno;
        snprintf(err, errlen, "fork: %s", strerror(clone_errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    close(pipefd[1]);
    int msg[3];
    ssize_t n;
    do { n = read(pipefd[0], msg, sizeof msg); } while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    if (n == (ssize_t)sizeof msg) {
        int status;
        while (waitpid(p, &status, 0) < 0 && errno == EINTR) {}
        *error_number = msg[1];
        const char *subject = step_subject(o, msg[0], msg[2]);
        if (subject)
            snprintf(err, errlen, "%s %s: %s", step_words(msg[0]), subject, strerror(msg[1]));
        else
            snprintf(err, errlen, "%s: %s", step_words(msg[0]), strerror(msg[1]));
        return -1;
    }
    *pid = p;
    return 0;
}

int ws_private_mounts_supported(void) {
    if (geteuid() != 0) return 0;
    /* An invalid call: EBADF or EINVAL where the kernel has the system call, ENOSYS where not. */
    long rc = syscall(SYS_mount_setattr, -1, "", 0, NULL, (size_t)0);
    return rc < 0 && errno == ENOSYS ? 0 : 1;
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
