#ifndef WSBRIDGE_CLIBVIRT_H
#define WSBRIDGE_CLIBVIRT_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>

/* libvirt is loaded at run time, when a class first uses it: a site that runs only local
 * workspaces needs no libvirt.so. Every libvirt function the provider calls is defined in
 * trampolines.c with libvirt's own prototype and forwards to the symbol of the loaded library. */

/** Loads libvirt.so.0 if it is not loaded yet; 0, or -1 with `*error` saying why. */
int wsb_libvirt_load(const char **error);

/** The address of a libvirt function, cached in `*slot`; aborts with a message if libvirt
 *  cannot be loaded (callers load it first, with wsb_libvirt_load, to report that cleanly). */
void *wsb_libvirt_resolve(void **slot, const char *name);

/* VIR_DOMAIN_EVENT_CALLBACK is a cast macro that Swift does not import; these typed helpers
 * keep the one unavoidable function-pointer cast on the C side, where it is well defined. */

/** Registers a lifecycle callback for all domains of `conn`; returns the callback id or -1. */
static inline int wsb_register_lifecycle_callback(virConnectPtr conn,
                                                  virConnectDomainEventCallback cb,
                                                  void *opaque, virFreeCallback freecb) {
    return virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                            VIR_DOMAIN_EVENT_CALLBACK(cb), opaque, freecb);
}

#endif
