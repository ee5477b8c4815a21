#ifndef WSBRIDGE_CLIBVIRT_SHIM_H
#define WSBRIDGE_CLIBVIRT_SHIM_H

#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <stdlib.h>

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
