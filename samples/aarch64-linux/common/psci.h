/*
 * psci.h - the PSCI calls this sample makes (Arm DEN 0022, SMC Calling
 * Convention: function id in x0, arguments in x1..x3, result in x0).
 * QEMU's virt board answers them itself when it boots a -kernel without
 * EL3 firmware; its device tree says through which instruction (/psci
 * method: "hvc" at EL1, "smc" with virtualization=on).
 */
#ifndef PSCI_H
#define PSCI_H

#include <stdint.h>

#define PSCI_VERSION            0x84000000u
#define PSCI_CPU_OFF            0x84000002u
#define PSCI_CPU_ON_64          0xc4000003u
#define PSCI_AFFINITY_INFO_64   0xc4000004u
#define PSCI_SYSTEM_OFF         0x84000008u

#define PSCI_SUCCESS            0
#define PSCI_AFF_ON             0
#define PSCI_AFF_OFF            1
#define PSCI_AFF_ON_PENDING     2

enum psci_conduit { PSCI_HVC, PSCI_SMC };

static inline int64_t psci_call(enum psci_conduit conduit, uint64_t fn,
                                uint64_t a1, uint64_t a2, uint64_t a3)
{
        register uint64_t x0 __asm__("x0") = fn;
        register uint64_t x1 __asm__("x1") = a1;
        register uint64_t x2 __asm__("x2") = a2;
        register uint64_t x3 __asm__("x3") = a3;

        /* SMCCC 1.0: x4..x17 may be corrupted by the call */
        if (conduit == PSCI_SMC)
                __asm__ volatile("smc #0"
                                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                                 :
                                 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
                                   "x13", "x14", "x15", "x16", "x17", "memory");
        else
                __asm__ volatile("hvc #0"
                                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                                 :
                                 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
                                   "x13", "x14", "x15", "x16", "x17", "memory");
        return (int64_t)x0;
}

#endif
