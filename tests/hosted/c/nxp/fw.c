int counter;
static int table[64];
const char banner[] = "nxp-style firmware";
void _start(void) { for (;;) { counter++; table[counter & 63] = banner[counter & 15]; } }
