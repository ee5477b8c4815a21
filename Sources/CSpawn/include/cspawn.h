#ifndef WSBRIDGE_CSPAWN_H
#define WSBRIDGE_CSPAWN_H

#include <sys/types.h>
#include <stddef.h>

/// One resource limit applied in the child with setrlimit.
typedef struct {
    int resource;
    unsigned long long soft;
    unsigned long long hard;
} ws_rlimit;

/// Everything that must happen between fork and exec. Pointers may be NULL where noted.
typedef struct {
    const char *path;                 /* program to execve */
    char *const *argv;                /* NULL-terminated */
    char *const *envp;                /* NULL-terminated */
    const char *directory;            /* NULL: keep the current directory */
    const char *stdin_path;           /* NULL: /dev/null */
    const char *stdout_path;          /* NULL: /dev/null */
    const char *stderr_path;          /* NULL: /dev/null */
    int stdout_append;                /* open stdout/stderr with O_APPEND instead of O_TRUNC */
    int set_identity;                 /* switch to uid/gid/groups before exec */
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t ngroups;
    char *const *cgroup_procs;         /* NULL-terminated list of cgroup.procs files to join */
    const ws_rlimit *limits;
    size_t nlimits;
    int new_session;                  /* setsid(): own session and process group */
    int keep_fd;                      /* a descriptor to keep open (as is), or -1 */
    int private_mounts;               /* a mount namespace of its own: the host's file system
                                         read-only, private /tmp and /dev/shm, writable_paths
                                         writable (needs root; Linux 5.12 or later) */
    char *const *writable_paths;      /* NULL-terminated absolute paths, or NULL */
    char *const *private_dir_sources; /* NULL: a tmpfs each for /tmp and /dev/shm. Else three
                                         root-made directories, bound on /tmp, /dev/shm and
                                         /var/tmp (the run's share of a size-limited disk) */
} ws_spawn_options;

/// Forks and execs. Returns 0 and the child's pid, or -1 with the errno of the step that failed
/// in error_number and a message in err that says which step failed and why (for example
/// "cannot open output /x/y: Permission denied").
int ws_spawn(const ws_spawn_options *options, pid_t *pid, int *error_number, char *err, size_t errlen);

/// Whether `private_mounts` can work here: running as root, on a kernel with mount_setattr (5.12).
int ws_private_mounts_supported(void);

/// The uid, gid and pid of the process at the other end of a Unix socket.
int ws_peer_credentials(int fd, uid_t *uid, gid_t *gid, pid_t *pid);

/// Appends bytes to a file with the file-system identity of uid/gid (this thread only), so a
/// root daemon writes a user's log file with that user's rights, never following a symlink the
/// user planted. Returns 0, or -1 with errno set.
int ws_append_as(uid_t uid, gid_t gid, const char *path, const void *data, size_t length);

/// Opens a file with the whole identity of a user: file-system uid and gid and the supplementary
/// groups, on the calling thread only (raw system calls: glibc's setgroups would change every
/// thread), restored before returning. A root daemon thus opens a user's file exactly as the user
/// would. Returns the descriptor, or -1 with errno set.
int ws_open_as(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, const char *path, int flags, mode_t mode);

/// What `ws_path_op_as` does.
enum { WS_PATH_MKDIR = 1, WS_PATH_RENAME = 2, WS_PATH_UNLINK = 3 };

/// mkdir(path, mode), rename(path, target) or unlink(path) with the whole identity of a user, on
/// the calling thread only, as `ws_open_as`. Returns 0, or -1 with errno set.
int ws_path_op_as(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, int op,
                  const char *path, const char *target, mode_t mode);

/// Decodes a wait status.
int ws_wifexited(int status);
int ws_wexitstatus(int status);
int ws_wifsignaled(int status);
int ws_wtermsig(int status);
int ws_wifstopped(int status);

#endif
