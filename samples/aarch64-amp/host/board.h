/*
 * host/board.h - the host's board support, shared by the kit host
 * (host/main.c) and the OpenAMP host (openamp/host.c). See host/board.c.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "psci.h"

#define RSC_CARVEOUT            0u
#define RSC_VDEV                3u
#ifndef VIRTIO_ID_RPMSG                 /* OpenAMP's <openamp/virtio.h> has it too */
#define VIRTIO_ID_RPMSG         7u
#endif
#define VIRTIO_STATUS_OK        0x07u   /* ACKNOWLEDGE | DRIVER | DRIVER_OK */
#define REPORT_WAIT_S           5u

/* host-side errors, next to the kit's REMOTE_FW_E* (all negative) */
#define HOST_ERSC               -101    /* the resource table is not what a host can serve */
#define HOST_ETIMEOUT           -102    /* the remote did not report */
#define HOST_EREMOTE            -103    /* the remote reported a failure */
#define HOST_ETRAP              -104    /* an exception on the host */

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

extern enum psci_conduit conduit;       /* set by psci_setup */

uint32_t get_le32(const uint8_t *p);
uint64_t get_le64(const uint8_t *p);
uint32_t get_be32(const uint8_t *p);
int str_eq(const char *a, const char *b);
void put_name(const char *name, size_t n);
uint64_t current_el(void);
__attribute__((noreturn)) void poweroff(void);
__attribute__((noreturn)) void fail_msg(const char *what, int64_t rc);
void psci_setup(void);
void poison_remote_area(void);
void zero(uintptr_t start, size_t n);
uint32_t serve_resources(const uint8_t *t, size_t size);
uint32_t wait_for_report(void);
int64_t wait_affinity(int64_t want);

#endif
