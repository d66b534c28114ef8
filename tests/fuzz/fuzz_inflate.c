/*
 * fuzz_inflate.c - libFuzzer target for the kit's inflate alone
 * (remote_fw_inflate and remote_fw_gunzip in linker/remote_fw_inflate.c), checked
 * against zlib on every input.
 *
 *   FUZZ_TARGET=inflate tests/fuzz/run.sh SECONDS   (ASan + UBSan, links -lz: zlib is the
 *                                                  harness's oracle, never part of the kit)
 *
 * Input: 3 header bytes, then the stream.
 *   byte 0-1: output room = (b0 | b1 << 8) * 8 bytes (0 .. 512 KiB), allocated
 *             exactly, so ASan catches a write one byte past it;
 *   byte 2:   bit 0: the stream is a gzip member (remote_fw_gunzip), else raw
 *             deflate (remote_fw_inflate).
 *
 * Promises: the kit succeeds exactly when zlib decodes the stream to its end
 * within the room (raw: any trailing bytes are not consumed; gzip: the member
 * must fill the input, as remote_fw_fit_load requires), and then produces
 * zlib's bytes and consumes zlib's count; on failure the outputs are untouched.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_common.h"
#include "remote_fw.h"
#include "remote_fw_inflate.h"

/* zlib's verdict: 1 when the stream ended inside the room; bytes out and in. */
static int zlib_inflate(const uint8_t *in, size_t n, uint8_t *out, size_t room, int gz,
                        size_t *produced, size_t *consumed)
{
        z_stream z;
        int rc;

        memset(&z, 0, sizeof(z));
        CHECK(inflateInit2(&z, gz ? 16 + 15 : -15) == Z_OK);
        z.next_in = (Bytef *)(uintptr_t)in;
        z.avail_in = (uInt)n;
        z.next_out = out;
        z.avail_out = (uInt)room;
        rc = inflate(&z, Z_FINISH);
        *produced = z.total_out;
        *consumed = z.total_in;
        inflateEnd(&z);
        return rc == Z_STREAM_END;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t room, n, used = 0x5a5a, len = 0xa5a5, zout = 0, zin = 0;
        const uint8_t *in;
        uint8_t *out, *ref;
        int gz, err, ok;

        if (size < 3)
                return 0;
        room = ((size_t)data[0] | (size_t)data[1] << 8) * 8;
        gz = data[2] & 1;
        in = data + 3;
        n = size - 3;
        out = malloc(room ? room : 1);
        ref = malloc(room ? room : 1);
        CHECK(out && ref);

        ok = zlib_inflate(in, n, ref, room, gz, &zout, &zin);
        if (gz) {
                ok = ok && zin == n;
                err = remote_fw_gunzip(in, n, out, room, &len);
        } else {
                err = remote_fw_inflate(in, n, out, room, &used, &len);
        }
        CHECK(err == 0 || err == REMOTE_FW_EINFLATE);
        if (err == 0) {
                CHECK(ok);
                CHECK(len == zout && memcmp(out, ref, len) == 0);
                if (!gz)
                        CHECK(used == zin);
        } else {
                CHECK(!ok);
                CHECK(used == 0x5a5a && len == 0xa5a5);
        }
        free(out);
        free(ref);
        return 0;
}
