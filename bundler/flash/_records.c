/* bundler.flash._records: the text-record encoder of bundler/flash/textrecords.py in C.
 *
 * encode_records(data, length, lead, addr_at, low16, constant, twos, eol) -> bytearray
 * writes exactly what textrecords.encode_records writes (a test holds the two
 * together): whole `length`-byte records of `data`, each line `lead` (its four
 * digits at `addr_at` replaced by the record's low 16 address bits, upper-case
 * hex) + the data in upper-case hex + the checksum byte in hex + `eol`. The
 * checksum is over `constant` + both low address bytes + the data bytes: its
 * two's complement (Intel HEX) when `twos`, else its one's complement
 * (S-records). The loop runs without the GIL, so the writer thread's system
 * calls and the next window's encoding overlap on another core.
 *
 * Optional: where it cannot be built, textrecords' own Python encoder runs,
 * with the same output.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static const char HEX[] = "0123456789ABCDEF";

static void put_hex2(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)HEX[(v >> 4) & 15];
    p[1] = (unsigned char)HEX[v & 15];
}

static PyObject *encode_records(PyObject *self, PyObject *args)
{
    Py_buffer data, lead, eol;
    Py_ssize_t length, addr_at;
    unsigned long low16, constant;
    int twos;
    PyObject *out = NULL;
    (void)self;

    if (!PyArg_ParseTuple(args, "y*ny*nkkpy*", &data, &length, &lead, &addr_at, &low16, &constant,
                          &twos, &eol))
        return NULL;
    if (length <= 0 || length > 255 || data.len % length) {
        PyErr_SetString(PyExc_ValueError, "encode_records needs whole records of 1..255 bytes");
        goto done;
    }
    Py_ssize_t count = data.len / length;
    if (addr_at < 0 || addr_at + 4 > lead.len) {
        PyErr_SetString(PyExc_ValueError, "the address digits lie outside the lead");
        goto done;
    }
    if (count && low16 + (unsigned long)(count - 1) * (unsigned long)length > 0xFFFF) {
        PyErr_SetString(PyExc_ValueError, "records cross a 64 KiB address boundary");
        goto done;
    }
    Py_ssize_t width = lead.len + 2 * length + 2 + eol.len;
    if (count > PY_SSIZE_T_MAX / width) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyByteArray_FromStringAndSize(NULL, count * width);
    if (out == NULL)
        goto done;
    unsigned char *p = (unsigned char *)PyByteArray_AS_STRING(out);
    const unsigned char *src = data.buf, *lp = lead.buf, *ep = eol.buf;
    Py_ssize_t lead_len = lead.len, eol_len = eol.len;

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < count; k++) {
        unsigned addr = (unsigned)(low16 + (unsigned long)k * (unsigned long)length);
        unsigned sum = (unsigned)constant + (addr >> 8) + (addr & 0xFF);
        memcpy(p, lp, (size_t)lead_len);
        put_hex2(p + addr_at, addr >> 8);
        put_hex2(p + addr_at + 2, addr & 0xFF);
        p += lead_len;
        for (Py_ssize_t i = 0; i < length; i++) {
            unsigned b = *src++;
            sum += b;
            put_hex2(p, b);
            p += 2;
        }
        put_hex2(p, twos ? (-sum) & 0xFF : 0xFF - (sum & 0xFF));
        p += 2;
        memcpy(p, ep, (size_t)eol_len);
        p += eol_len;
    }
    Py_END_ALLOW_THREADS

done:
    PyBuffer_Release(&data);
    PyBuffer_Release(&lead);
    PyBuffer_Release(&eol);
    return out;
}

static PyMethodDef methods[] = {
    {"encode_records", encode_records, METH_VARARGS,
     "encode_records(data, length, lead, addr_at, low16, constant, twos, eol) -> bytearray"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "bundler.flash._records",
    "Text flash records in C (see bundler/flash/textrecords.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__records(void)
{
    return PyModule_Create(&module);
}
