#ifndef WSBRIDGE_CMUNGE_H
#define WSBRIDGE_CMUNGE_H

#include <sys/types.h>

/* MUNGE (libmunge.so.2) is loaded at run time, when the network API is used: a site that runs
 * the daemon on its Unix socket only needs no munge, and building needs no munge headers. The
 * few calls are declared here from munge.h's stable ABI (munge_err_t is an enum, int-sized). */

/** What a decoded credential says: who made it, and whom it was made for. */
typedef struct {
    uid_t uid;
    gid_t gid;
    /** The uid and gid allowed to decode it (`munge -U/-G`); (uid_t)-1 and (gid_t)-1: anyone. */
    uid_t uid_restriction;
    gid_t gid_restriction;
} wsb_munge_identity;

/** Makes a credential carrying `payload` through munged at `socket` (NULL: munged's default).
 *  0 and `*cred` (free it with free()), or munge's error number and `*error`. */
int wsb_munge_encode(const char *socket, const void *payload, int length, char **cred, const char **error);

/** Checks `cred` through munged. 0 with `*identity`, `*payload` (free()) and `*length`; or
 *  munge's error number (14 invalid, 15 expired, 16 rewound, 17 replayed, ...) and `*error`. */
int wsb_munge_decode(const char *socket, const char *cred, wsb_munge_identity *identity,
                     void **payload, int *length, const char **error);

#endif
