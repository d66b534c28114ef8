/* bigbss.c - a program whose .bss (100 MiB) lies far above its file end: bundling it moves the
 * program header table above the .bss without 100 MiB of padding (tests/hosted/test_native.py). */
#include <stdio.h>
char big[100 << 20];
int main(int argc, char **argv) { (void)argv; big[argc * 12345] = 1; printf("ok %d %p\n", big[12345], (void *)big); return 0; }
