/*
 * descs.c - descriptors for the ctypes tests (libkit.so = remote_fw.c + this +
 * gamma.o, the latter made by `objcopy -I binary gamma.bin`: the pre-link flow).
 */
#include "remote_fw.h"

REMOTE_FW_DECLARE(alpha);
REMOTE_FW_DECLARE(beta);
REMOTE_FW_DECLARE(gamma_bin);
