/*
 * remote_1m.c - the remote of bench/bench_auth_load.py: a Cortex-M3 program
 * whose one PT_LOAD (remote_1m.ld) holds its code, a resource table with no
 * entries and the payload the benchmark links beside it (objcopy -I binary),
 * so the signed image is a real arm-none-eabi-gcc ELF of the size asked for.
 */
#include <stdint.h>

struct resource_table {
        uint32_t ver;
        uint32_t num;
        uint32_t reserved[2];
};

const struct resource_table resource_table
        __attribute__((section(".resource_table"), used, aligned(8))) = { 1, 0, { 0, 0 } };

extern const uint8_t _binary_payload_bin_start[], _binary_payload_bin_end[];

/* Sums the payload: the remote reads every byte it was given. */
uint32_t reset(void)
{
        const uint8_t *p;
        uint32_t sum = 0;

        for (p = _binary_payload_bin_start; p != _binary_payload_bin_end; p++)
                sum += *p;
        return sum;
}
