#define _GNU_SOURCE
#include "cspawn.h"

#include <errno.h>
#include <stdio.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int ws_path_op_as(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, int op,
                  const char *path, const char *target, mode_t mode) {
    int switched = geteuid() == 0;
    gid_t saved_groups[256];
    long nsaved = 0;
    gid_t old_gid = 0;
    uid_t old_uid = 0;
    if (switched) {
        nsaved = syscall(SYS_getgroups, 256, saved_groups);
        if (nsaved < 0) return -1;
        if (syscall(SYS_setgroups, ngroups, groups) != 0) return -1;
        old_gid = (gid_t)setfsgid(gid);
        old_uid = (uid_t)setfsuid(uid);
    }
    int rc;
    switch (op) {
    case WS_PATH_MKDIR: rc = mkdir(path, mode); break;
    case WS_PATH_RENAME: rc = rename(path, target); break;
    case WS_PATH_UNLINK: rc = unlink(path); break;
    default: errno = EINVAL; rc = -1;
    }
    int saved = errno;
    if (switched) {
        setfsuid(old_uid);
        setfsgid(old_gid);
        syscall(SYS_setgroups, (size_t)nsaved, saved_groups);
    }
    errno = saved;
    return rc;
}
