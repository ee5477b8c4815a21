#include "CLibvirt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *library;
static char failure[512];

static void load(void) {
    library = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!library) snprintf(failure, sizeof failure, "%s (install the libvirt0 package)", dlerror());
}

int wsb_libvirt_load(const char **error) {
    pthread_once(&once, load);
    if (library) return 0;
    if (error) *error = failure;
    return -1;
}

void *wsb_libvirt_resolve(void **slot, const char *name) {
    void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (fn) return fn;
    const char *error = NULL;
    if (wsb_libvirt_load(&error) != 0) {
        fprintf(stderr, "wsbridge: libvirt is needed but cannot be loaded: %s\n", error);
        abort();
    }
    fn = dlsym(library, name);
    if (!fn) {
        fprintf(stderr, "wsbridge: the loaded libvirt has no %s (too old?)\n", name);
        abort();
    }
    __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
    return fn;
}
