#include "CMunge.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* From munge.h: opaque context, option numbers and the functions used. */
typedef struct munge_ctx *munge_ctx_t;
enum { MUNGE_OPT_SOCKET = 8, MUNGE_OPT_UID_RESTRICTION = 9, MUNGE_OPT_GID_RESTRICTION = 10 };
enum { EMUNGE_SNAFU = 1 };

static struct {
    munge_ctx_t (*ctx_create)(void);
    void (*ctx_destroy)(munge_ctx_t);
    int (*ctx_set)(munge_ctx_t, int, ...);
    int (*ctx_get)(munge_ctx_t, int, ...);
    const char *(*ctx_strerror)(munge_ctx_t);
    const char *(*strerror)(int);
    int (*encode)(char **, munge_ctx_t, const void *, int);
    int (*decode)(const char *, munge_ctx_t, void **, int *, uid_t *, gid_t *);
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void load(void) {
    void *h = dlopen("libmunge.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(failure, sizeof failure, "%s (install the libmunge2 package)", dlerror());
        return;
    }
#define SYM(field, name) if (!(*(void **)&lib.field = dlsym(h, name))) { \
        snprintf(failure, sizeof failure, "the loaded libmunge has no %s", name); lib.encode = NULL; return; }
    SYM(ctx_create, "munge_ctx_create") SYM(ctx_destroy, "munge_ctx_destroy") SYM(ctx_set, "munge_ctx_set")
    SYM(ctx_get, "munge_ctx_get") SYM(ctx_strerror, "munge_ctx_strerror") SYM(strerror, "munge_strerror")
    SYM(decode, "munge_decode") SYM(encode, "munge_encode")
#undef SYM
}

/* A context for `socket`, or NULL with `*error`. */
static munge_ctx_t context(const char *socket, const char **error) {
    pthread_once(&once, load);
    if (!lib.encode || !lib.decode) { *error = failure; return NULL; }
    munge_ctx_t ctx = lib.ctx_create();
    if (!ctx) { *error = "out of memory"; return NULL; }
    if (socket && lib.ctx_set(ctx, MUNGE_OPT_SOCKET, socket) != 0) {
        *error = "cannot set the munged socket";
        lib.ctx_destroy(ctx);
        return NULL;
    }
    return ctx;
}

/* munge's own message is kept in a thread-local buffer: the context is gone when Swift reads it. */
static const char *message(munge_ctx_t ctx, int code) {
    static __thread char text[512];
    const char *m = lib.ctx_strerror(ctx);
    snprintf(text, sizeof text, "%s", m ? m : lib.strerror(code));
    return text;
}

int wsb_munge_encode(const char *socket, const void *payload, int length, char **cred, const char **error) {
    munge_ctx_t ctx = context(socket, error);
    if (!ctx) return EMUNGE_SNAFU;
    int rc = lib.encode(cred, ctx, payload, length);
    if (rc != 0) *error = message(ctx, rc);
    lib.ctx_destroy(ctx);
    return rc;
}

int wsb_munge_decode(const char *socket, const char *cred, wsb_munge_identity *identity,
                     void **payload, int *length, const char **error) {
    munge_ctx_t ctx = context(socket, error);
    if (!ctx) return EMUNGE_SNAFU;
    *payload = NULL;
    *length = 0;
    int rc = lib.decode(cred, ctx, payload, length, &identity->uid, &identity->gid);
    if (rc == 0) {
        if (lib.ctx_get(ctx, MUNGE_OPT_UID_RESTRICTION, &identity->uid_restriction) != 0
            || lib.ctx_get(ctx, MUNGE_OPT_GID_RESTRICTION, &identity->gid_restriction) != 0) {
            *error = "cannot read the credential's restrictions";
            rc = EMUNGE_SNAFU;
        }
    } else {
        *error = message(ctx, rc);
    }
    /* Replayed or expired credentials still come with a payload: it is not used. */
    if (rc != 0 && *payload) { free(*payload); *payload = NULL; *length = 0; }
    lib.ctx_destroy(ctx);
    return rc;
}
