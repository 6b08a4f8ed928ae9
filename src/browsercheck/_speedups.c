/* The audit's inner loop in C: counting the lines of a "combined" access log.
 *
 * CombinedCounter counts what Tally._add_combined counts in Python, line for line, so that
 * either can count a log and their finished tallies merge (tests compare the two on the same
 * input). In CPython the per-line work of the Python version (a bytes method call, a tuple, a
 * comprehension step, a Counter and a set update) costs more than reading the line. Here a line
 * costs two scans, two hashes of bytes in place and two lookups in tables of this file's own: a
 * Python object is made only for each distinct User-Agent, when first seen. Everything else stays
 * in Python, which collects examples of malformed lines after.
 *
 * LiteralSet (further down) is the bot check's search for its plain-text patterns, and SlotsMaker
 * makes the records detection and judging make one of per User-Agent.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memrchr; pyconfig.h defines it too on Linux */
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <structmember.h> /* T_OBJECT_EX, READONLY: named Py_T_OBJECT_EX, Py_READONLY from 3.12 on */

/* -- finding the fields ------------------------------------------------------------------------ */

/* The last '"' in [start, end), or NULL. */
static const char *
last_quote(const char *start, const char *end)
{
#ifdef __GLIBC__
    return memrchr(start, '"', (size_t)(end - start));
#else
    for (const char *p = end; p > start;) {
        if (*--p == '"')
            return p;
    }
    return NULL;
#endif
}

/* The last '" "' in [start, end), or NULL: a combined line's User-Agent follows it. Found by
 * looking back for quotes, each the possible end of the pattern (the second from the end, usually). */
static const char *
last_quote_space_quote(const char *start, const char *end)
{
    const char *q = end;
    while ((q = last_quote(start, q)) != NULL) {
        if (q - start >= 2 && q[-1] == ' ' && q[-2] == '"')
            return q - 2;
    }
    return NULL;
}

/* -- hashing bytes in place -------------------------------------------------------------------- */

/* A fast 64-bit hash for the tables below (never 0: 0 marks an empty slot). Eight bytes a step,
 * mixed by multiplication; the tables compare the bytes too, so collisions cost time, not counts. */
static uint64_t
hash_bytes(const char *p, Py_ssize_t n, uint64_t seed)
{
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h = seed ^ ((uint64_t)n * k);
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, p, (size_t)n);
    h = (h ^ w) * k;
    h ^= h >> 32;
    return h | 1;
}

static int
same_bytes(PyObject *bytes, const char *p, Py_ssize_t n)
{
    return PyBytes_GET_SIZE(bytes) == n && memcmp(PyBytes_AS_STRING(bytes), p, (size_t)n) == 0;
}

/* -- the visitor hash: SipHash-1-3 under a fixed key (audit/_visitorhash.py) --------------------- */

/* The same in every process, machine and Python version (Python's hash() is salted per
 * interpreter): tallies counted apart merge by the union of these hashes. Keep in step with
 * _visitorhash.KEY and VISITOR_HASH; tests check both against shared known answers. */
static const unsigned char VISITOR_KEY[16] = "browsercheck\0v1\0";

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline uint64_t
read_le64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                  \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                     \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                     \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                  \
    } while (0)

/* SipHash-c-d (Aumasson and Bernstein) of [p, p + n) under the 16-byte key, byte order fixed
 * (little-endian words, as the paper says) whatever the machine's. */
static uint64_t
siphash(const unsigned char *key, const unsigned char *p, Py_ssize_t n, int c_rounds, int d_rounds)
{
    uint64_t k0 = read_le64(key), k1 = read_le64(key + 8);
    uint64_t v0 = k0 ^ 0x736F6D6570736575ULL, v1 = k1 ^ 0x646F72616E646F6DULL;
    uint64_t v2 = k0 ^ 0x6C7967656E657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
    uint64_t last = (uint64_t)(n & 0xFF) << 56;
    const unsigned char *end = p + (n - n % 8);
    for (; p < end; p += 8) {
        uint64_t m = read_le64(p);
        v3 ^= m;
        for (int i = 0; i < c_rounds; i++)
            SIPROUND;
        v0 ^= m;
    }
    for (int i = 0; i < n % 8; i++)
        last |= (uint64_t)p[i] << (8 * i);
    v3 ^= last;
    for (int i = 0; i < c_rounds; i++)
        SIPROUND;
    v0 ^= last;
    v2 ^= 0xFF;
    for (int i = 0; i < d_rounds; i++)
        SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static inline uint64_t
visitor_hash(const char *p, Py_ssize_t n)
{
    return siphash(VISITOR_KEY, (const unsigned char *)p, n, 1, 3);
}

/* -- the tables: open addressing, linear probing, at most half full ----------------------------- */

typedef struct {
    uint64_t hash; /* 0: empty */
    PyObject *key; /* the User-Agent as logged (owned) */
    Py_ssize_t requests;
    Py_ssize_t index; /* in the order first seen: 0, 1, 2, ... */
} UserAgentSlot;

typedef struct {
    uint64_t hash; /* 0: empty */
    Py_ssize_t ua; /* the User-Agent's index (UserAgentSlot.index) */
    uint64_t addr; /* visitor_hash(address): a visitor is a User-Agent and the hash of an address */
} VisitorSlot;

typedef struct {
    PyObject_HEAD
    UserAgentSlot *uas;
    size_t ua_mask, ua_used;
    PyObject **keys; /* the User-Agents in the order first seen (borrowed from their slots) */
    size_t keys_size;
    VisitorSlot *visitors;
    size_t visitor_mask, visitor_used;
    int level; /* visitors kept: visitor_hash(address) & (2**level - 1) == 0 */
    Py_ssize_t max_line; /* longer lines (without their line end) are malformed */
    PyObject *fresh; /* list of the User-Agents first seen since take_new() */
} Counter;

#define FIRST_SIZE 1024

static int
grow_uas(Counter *self)
{
    size_t size = (self->ua_mask + 1) * 2;
    UserAgentSlot *slots = PyMem_Calloc(size, sizeof(UserAgentSlot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i <= self->ua_mask; i++) {
        UserAgentSlot *old = &self->uas[i];
        if (old->hash) {
            size_t j = old->hash & (size - 1);
            while (slots[j].hash)
                j = (j + 1) & (size - 1);
            slots[j] = *old;
        }
    }
    PyMem_Free(self->uas);
    self->uas = slots;
    self->ua_mask = size - 1;
    return 0;
}

/* The slot of the User-Agent at [p, p + n), whose hash_bytes(p, n, 0) is h, added if new; NULL
 * on error. */
static UserAgentSlot *
user_agent(Counter *self, const char *p, Py_ssize_t n, uint64_t h)
{
    size_t i = h & self->ua_mask;
    for (;; i = (i + 1) & self->ua_mask) {
        UserAgentSlot *slot = &self->uas[i];
        if (slot->hash == 0)
            break;
        if (slot->hash == h && same_bytes(slot->key, p, n))
            return slot;
    }
    if (self->ua_used == self->keys_size) {
        size_t size = self->keys_size * 2;
        PyObject **keys = PyMem_Realloc(self->keys, size * sizeof(PyObject *));
        if (keys == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        self->keys = keys;
        self->keys_size = size;
    }
    PyObject *key = PyBytes_FromStringAndSize(p, n);
    if (key == NULL)
        return NULL;
    if (PyList_Append(self->fresh, key) < 0) {
        Py_DECREF(key);
        return NULL;
    }
    self->keys[self->ua_used] = key;
    self->uas[i] = (UserAgentSlot){h, key, 0, (Py_ssize_t)self->ua_used};
    if (++self->ua_used * 2 > self->ua_mask + 1) {
        if (grow_uas(self) < 0)
            return NULL;
        return user_agent(self, p, n, h); /* found at its new place */
    }
    return &self->uas[i];
}

static void
place_visitor(VisitorSlot *slots, size_t mask, VisitorSlot visitor)
{
    size_t j = (visitor.hash >> 17) & mask;
    while (slots[j].hash)
        j = (j + 1) & mask;
    slots[j] = visitor;
}

/* Keep the visitors whose address the level samples (all of them at level 0), in a table of
 * `size` slots. */
static int
rebuild_visitors(Counter *self, size_t size)
{
    VisitorSlot *slots = PyMem_Calloc(size, sizeof(VisitorSlot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    uint64_t sample = ((uint64_t)1 << self->level) - 1;
    size_t used = 0;
    for (size_t i = 0; i <= self->visitor_mask; i++) {
        VisitorSlot *old = &self->visitors[i];
        if (old->hash != 0 && (old->addr & sample) == 0) {
            place_visitor(slots, size - 1, *old);
            used++;
        }
    }
    PyMem_Free(self->visitors);
    self->visitors = slots;
    self->visitor_mask = size - 1;
    self->visitor_used = used;
    return 0;
}

static inline int
sampled(Counter *self, uint64_t addr)
{
    return (addr & (((uint64_t)1 << self->level) - 1)) == 0;
}

/* The hash of a visitor in its table: of its User-Agent's hash and its address's. */
static inline uint64_t
visitor_slot_hash(uint64_t ua_hash, uint64_t addr)
{
    return ((ua_hash ^ addr) * 0x9E3779B97F4A7C15ULL) | 1;
}

/* Count the visitor (User-Agent, visitor_hash of the address), if the level samples its address. */
static int
visitor(Counter *self, UserAgentSlot *ua, uint64_t addr)
{
    if (!sampled(self, addr))
        return 0;
    uint64_t h = visitor_slot_hash(ua->hash, addr);
    size_t i = (h >> 17) & self->visitor_mask;
    for (;; i = (i + 1) & self->visitor_mask) {
        VisitorSlot *slot = &self->visitors[i];
        if (slot->hash == 0)
            break;
        if (slot->hash == h && slot->ua == ua->index && slot->addr == addr)
            return 0;
    }
    self->visitors[i] = (VisitorSlot){h, ua->index, addr};
    if (++self->visitor_used * 2 > self->visitor_mask + 1)
        return rebuild_visitors(self, (self->visitor_mask + 1) * 2);
    return 0;
}

/* -- the type ---------------------------------------------------------------------------------- */

static PyObject *
Counter_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"max_line", NULL};
    Py_ssize_t max_line;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "n:CombinedCounter", keywords, &max_line))
        return NULL;
    if (max_line < 0) {
        PyErr_Format(PyExc_ValueError, "CombinedCounter(): max_line must be 0 or more, got %zd", max_line);
        return NULL;
    }
    Counter *self = (Counter *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->max_line = max_line;
    self->uas = PyMem_Calloc(FIRST_SIZE, sizeof(UserAgentSlot));
    self->visitors = PyMem_Calloc(FIRST_SIZE, sizeof(VisitorSlot));
    self->keys = PyMem_Malloc(FIRST_SIZE / 2 * sizeof(PyObject *)); /* the table is at most half full */
    self->ua_mask = self->visitor_mask = FIRST_SIZE - 1;
    self->keys_size = FIRST_SIZE / 2;
    if (self->uas == NULL || self->visitors == NULL || self->keys == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    if ((self->fresh = PyList_New(0)) == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void
Counter_dealloc(Counter *self)
{
    if (self->uas != NULL) {
        for (size_t i = 0; i <= self->ua_mask; i++)
            Py_XDECREF(self->uas[i].key);
        PyMem_Free(self->uas);
    }
    PyMem_Free(self->visitors);
    PyMem_Free(self->keys); /* borrowed from the User-Agent table */
    Py_XDECREF(self->fresh);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

PyDoc_STRVAR(add_doc,
"add(chunk, /) -> (lines, malformed)\n"
"\n"
"Count the lines of chunk (bytes, or any buffer: a memoryview of a mapped file), split at\n"
"b'\\n' or b'\\r\\n' (a last line without either counts too). A line with a\n"
"'\" \"' and a closing '\"' is a request of the User-Agent between them (its last '\" \"') by the\n"
"visitor (that User-Agent, visitor hash of the line up to its first space); other lines, and lines of\n"
"more than max_line bytes, are malformed: malformed is the list of their (start, end) in chunk,\n"
"line ends left out (the caller takes its examples from them without splitting the chunk).");

/* A line read, not yet counted: count_lines reads a few lines ahead of the one it counts, and asks
 * the processor for the table slots each will look at as it reads it. With many User-Agents and
 * visitors the tables outgrow the processor's caches, and the counting waited on memory at each
 * probe (1M lines, 48,000 User-Agents: 200 ms, against 120 for 8,000). */
typedef struct {
    const char *line, *end; /* without its line end */
    const char *ua;         /* NULL: malformed */
    Py_ssize_t ua_len;
    uint64_t ua_hash, addr;
} Pending;

#define READ_AHEAD 8

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static int
count_pending(Counter *self, const char *data, const Pending *line, PyObject *malformed)
{
    if (line->ua == NULL) {
        PyObject *span = Py_BuildValue("(nn)", (Py_ssize_t)(line->line - data), (Py_ssize_t)(line->end - data));
        if (span == NULL || PyList_Append(malformed, span) < 0) {
            Py_XDECREF(span);
            return -1;
        }
        Py_DECREF(span);
        return 0;
    }
    UserAgentSlot *ua = user_agent(self, line->ua, line->ua_len, line->ua_hash);
    if (ua == NULL || visitor(self, ua, line->addr) < 0)
        return -1;
    ua->requests++;
    return 0;
}

static PyObject *
count_lines(Counter *self, const char *data, const char *stop)
{
    Py_ssize_t lines = 0;
    PyObject *malformed = PyList_New(0);
    if (malformed == NULL)
        return NULL;
    Pending ahead[READ_AHEAD];
    size_t first = 0, waiting = 0; /* lines read, not counted: ahead[first], and after it */
    for (const char *line = data; line < stop; lines++) {
        const char *newline = memchr(line, '\n', (size_t)(stop - line));
        const char *end = newline != NULL ? newline : stop;
        if (newline != NULL && end > line && end[-1] == '\r')
            end--; /* "\r\n" ends the line as "\n" does */
        const char *at = end - line > self->max_line ? NULL : last_quote_space_quote(line, end);
        Pending *read = &ahead[(first + waiting) % READ_AHEAD];
        *read = (Pending){line, end, NULL, 0, 0, 0};
        if (!(at == NULL || end[-1] != '"' || end - at == 3)) {
            /* not too long, a '" "', and a closing quote: a request */
            const char *space = memchr(line, ' ', (size_t)(end - line)); /* the '" "' has one */
            read->ua = at + 3;
            read->ua_len = end - 1 - (at + 3);
            read->ua_hash = hash_bytes(read->ua, read->ua_len, 0);
            read->addr = visitor_hash(line, space - line);
            PREFETCH(&self->uas[read->ua_hash & self->ua_mask]);
            if (sampled(self, read->addr))
                PREFETCH(&self->visitors[(visitor_slot_hash(read->ua_hash, read->addr) >> 17) & self->visitor_mask]);
        }
        line = newline != NULL ? newline + 1 : stop;
        if (++waiting > READ_AHEAD / 2) {
            /* half-way: its slot has come; where it holds the User-Agent, its text is asked for */
            const Pending *half = &ahead[(first + waiting - 1 - READ_AHEAD / 2) % READ_AHEAD];
            if (half->ua != NULL) {
                const UserAgentSlot *slot = &self->uas[half->ua_hash & self->ua_mask];
                if (slot->hash == half->ua_hash)
                    PREFETCH(PyBytes_AS_STRING(slot->key));
            }
        }
        if (waiting < READ_AHEAD)
            continue;
        if (count_pending(self, data, &ahead[first], malformed) < 0)
            goto error;
        first = (first + 1) % READ_AHEAD;
        waiting--;
    }
    for (; waiting > 0; waiting--, first = (first + 1) % READ_AHEAD) {
        if (count_pending(self, data, &ahead[first], malformed) < 0)
            goto error;
    }
    return Py_BuildValue("(nN)", lines, malformed);
error:
    Py_DECREF(malformed);
    return NULL;
}

static PyObject *
Counter_add(Counter *self, PyObject *chunk)
{
    Py_buffer view;
    if (PyObject_GetBuffer(chunk, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    const char *data = view.buf;
    PyObject *counted = count_lines(self, data, data + view.len);
    PyBuffer_Release(&view);
    return counted;
}

PyDoc_STRVAR(sample_doc,
"sample(level, /)\n"
"\n"
"From now on keep only visitors whose visitor hash & (2**level - 1) == 0, and drop the others.");

static PyObject *
Counter_sample(Counter *self, PyObject *arg)
{
    long level = PyLong_AsLong(arg);
    if (level == -1 && PyErr_Occurred())
        return NULL;
    if (level < self->level || level > 62) {
        PyErr_Format(PyExc_ValueError, "sample(): level must be from %d to %d, got %ld", self->level,
                     62, level);
        return NULL;
    }
    self->level = (int)level;
    if (rebuild_visitors(self, self->visitor_mask + 1) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(requests_doc, "requests() -> {user_agent_key: requests}");

static PyObject *
Counter_requests(Counter *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *out = PyDict_New();
    for (size_t i = 0; out != NULL && i <= self->ua_mask; i++) {
        UserAgentSlot *slot = &self->uas[i];
        if (slot->hash == 0)
            continue;
        PyObject *count = PyLong_FromSsize_t(slot->requests);
        if (count == NULL || PyDict_SetItem(out, slot->key, count) < 0)
            Py_CLEAR(out);
        Py_XDECREF(count);
    }
    return out;
}

/* out[key], made by make() where out has none: borrowed (out holds it); NULL with an error set. */
static PyObject *
group_of(PyObject *out, PyObject *key, PyObject *(*make)(void))
{
    PyObject *group = PyDict_GetItemWithError(out, key); /* borrowed */
    if (group != NULL || PyErr_Occurred())
        return group;
    if ((group = make()) == NULL)
        return NULL;
    int rc = PyDict_SetItem(out, key, group);
    Py_DECREF(group); /* the dict holds it */
    return rc < 0 ? NULL : group;
}

static PyObject *
new_set(void)
{
    return PySet_New(NULL);
}

static PyObject *
new_bytearray(void)
{
    return PyByteArray_FromStringAndSize(NULL, 0);
}

/* {user_agent: group of its visitors' hashes}: the visitor table walked once, each User-Agent's
 * group made by make() when first met and each hash put in by add() (0, or -1 with an error set). */
static PyObject *
visitors_grouped(Counter *self, PyObject *(*make)(void), int (*add)(PyObject *group, uint64_t addr))
{
    PyObject *out = PyDict_New();
    for (size_t i = 0; out != NULL && i <= self->visitor_mask; i++) {
        VisitorSlot *slot = &self->visitors[i];
        if (slot->hash == 0)
            continue;
        PyObject *group = group_of(out, self->keys[slot->ua], make);
        if (group == NULL || add(group, slot->addr) < 0)
            Py_CLEAR(out);
    }
    return out;
}

static int
add_to_set(PyObject *set, uint64_t addr)
{
    PyObject *value = PyLong_FromUnsignedLongLong(addr);
    int rc = value == NULL ? -1 : PySet_Add(set, value);
    Py_XDECREF(value);
    return rc;
}

PyDoc_STRVAR(visitors_by_user_agent_doc,
"visitors_by_user_agent() -> {user_agent: {visitor hash of the address, ...}}");

static PyObject *
Counter_visitors_by_user_agent(Counter *self, PyObject *Py_UNUSED(ignored))
{
    return visitors_grouped(self, new_set, add_to_set);
}

PyDoc_STRVAR(visitors_packed_doc,
"visitors_packed() -> {user_agent: bytes of the visitor hashes, 8 bytes each, little-endian,\n"
"ascending}\n\n"
"What visitors_by_user_agent() tells, without a Python int and set per visitor: for a tally that\n"
"is sent to another process (a sixth of the memory: 1 MB against 6.6 for 58,603 visitors). In\n"
"order, so that two such lists unite in one pass (union_packed).");

static void
write_le64(unsigned char *at, uint64_t value)
{
    for (int b = 0; b < 8; b++)
        at[b] = (unsigned char)(value >> (8 * b)); /* little-endian on every machine */
}

static int
compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sort the hashes packed in a bytearray, ascending. */
static int
sort_packed(PyObject *packed)
{
    size_t n = (size_t)PyByteArray_GET_SIZE(packed) / 8;
    unsigned char *bytes = (unsigned char *)PyByteArray_AS_STRING(packed);
    if (n < 2)
        return 0;
    uint64_t *values = PyMem_Malloc(n * sizeof(uint64_t));
    if (values == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        values[i] = read_le64(bytes + 8 * i);
    qsort(values, n, sizeof(uint64_t), compare_u64);
    for (size_t i = 0; i < n; i++)
        write_le64(bytes + 8 * i, values[i]);
    PyMem_Free(values);
    return 0;
}

static int
append_packed(PyObject *packed, uint64_t addr)
{
    Py_ssize_t used = PyByteArray_GET_SIZE(packed);
    if (PyByteArray_Resize(packed, used + 8) < 0) /* grows its allocation ahead, as a list does */
        return -1;
    write_le64((unsigned char *)PyByteArray_AS_STRING(packed) + used, addr);
    return 0;
}

static PyObject *
Counter_visitors_packed(Counter *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *out = visitors_grouped(self, new_bytearray, append_packed);
    PyObject *key, *packed;
    Py_ssize_t at = 0;
    while (out != NULL && PyDict_Next(out, &at, &key, &packed)) {
        /* sorted, then as bytes: pickled at protocol 4 (multiprocessing's), a bytearray takes a
         * Python call each (42,000: 72 ms to pickle and load, 32 as bytes). A value replaced in place
         * leaves the keys, and so the walk, as they are. */
        PyObject *sorted = sort_packed(packed) < 0
                               ? NULL
                               : PyBytes_FromStringAndSize(PyByteArray_AS_STRING(packed), PyByteArray_GET_SIZE(packed));
        if (sorted == NULL || PyDict_SetItem(out, key, sorted) < 0)
            Py_CLEAR(out);
        Py_XDECREF(sorted);
    }
    return out;
}

PyDoc_STRVAR(packed_in_order_doc,
"packed_in_order() -> (user_agents, lengths, requests, visitor_counts, visitors)\n"
"\n"
"The counts in five byte strings, each User-Agent's in turn in the order first seen:\n"
"user_agents, one after the other; their lengths, requests and visitor counts, 8 bytes each; and\n"
"the visitor hashes of each, as visitors_packed() packs them. All little-endian. What a counting\n"
"process sends: no Python object is made a User-Agent (48,185: 9 ms, and 2 more to pickle,\n"
"against 60 to make its requests() and visitors_packed() and pickle them).");

static PyObject *
Counter_packed_in_order(Counter *self, PyObject *Py_UNUSED(ignored))
{
    size_t n = self->ua_used, kept = self->visitor_used, text = 0;
    for (size_t ua = 0; ua < n; ua++)
        text += (size_t)PyBytes_GET_SIZE(self->keys[ua]);
    PyObject *user_agents = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)text);
    PyObject *lengths = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    PyObject *requests = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    PyObject *counts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    PyObject *visitors = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(kept * 8));
    size_t *starts = PyMem_Calloc(n + 1, sizeof(size_t)); /* where each User-Agent's visitors start */
    uint64_t *hashes = PyMem_Malloc((kept ? kept : 1) * sizeof(uint64_t));
    PyObject *out = NULL;
    if (user_agents == NULL || lengths == NULL || requests == NULL || counts == NULL || visitors == NULL)
        goto done;
    if (starts == NULL || hashes == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    char *u = PyBytes_AS_STRING(user_agents);
    unsigned char *l = (unsigned char *)PyBytes_AS_STRING(lengths);
    for (size_t ua = 0; ua < n; ua++) {
        Py_ssize_t length = PyBytes_GET_SIZE(self->keys[ua]);
        memcpy(u, PyBytes_AS_STRING(self->keys[ua]), (size_t)length);
        u += length;
        write_le64(l + 8 * ua, (uint64_t)length);
    }
    unsigned char *r = (unsigned char *)PyBytes_AS_STRING(requests);
    for (size_t i = 0; i <= self->ua_mask; i++)
        if (self->uas[i].hash)
            write_le64(r + 8 * self->uas[i].index, (uint64_t)self->uas[i].requests);
    for (size_t i = 0; i <= self->visitor_mask; i++)
        if (self->visitors[i].hash)
            starts[self->visitors[i].ua + 1]++; /* counted, then summed into starts */
    unsigned char *c = (unsigned char *)PyBytes_AS_STRING(counts);
    for (size_t ua = 0; ua < n; ua++) {
        write_le64(c + 8 * ua, starts[ua + 1]);
        starts[ua + 1] += starts[ua];
    }
    for (size_t i = 0; i <= self->visitor_mask; i++) {
        VisitorSlot *slot = &self->visitors[i];
        if (slot->hash)
            hashes[starts[slot->ua]++] = slot->addr; /* starts[ua] ends at the next one's start */
    }
    unsigned char *v = (unsigned char *)PyBytes_AS_STRING(visitors);
    for (size_t ua = 0, from = 0; ua < n; from = starts[ua++]) {
        qsort(hashes + from, starts[ua] - from, sizeof(uint64_t), compare_u64);
        for (size_t k = from; k < starts[ua]; k++)
            write_le64(v + 8 * k, hashes[k]);
    }
    out = PyTuple_Pack(5, user_agents, lengths, requests, counts, visitors);
done:
    Py_XDECREF(user_agents);
    Py_XDECREF(lengths);
    Py_XDECREF(requests);
    Py_XDECREF(counts);
    Py_XDECREF(visitors);
    PyMem_Free(starts);
    PyMem_Free(hashes);
    return out;
}

PyDoc_STRVAR(take_new_doc,
"take_new() -> [user_agent, ...]\n"
"\n"
"The User-Agents (as logged) first seen since the last call, in the order seen: what the audit\n"
"judges while the counting goes on.");

static PyObject *
Counter_take_new(Counter *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *empty = PyList_New(0);
    if (empty == NULL)
        return NULL;
    PyObject *taken = self->fresh;
    self->fresh = empty;
    return taken;
}

static PyObject *
Counter_visitors(Counter *self, void *Py_UNUSED(closure))
{
    return PyLong_FromSize_t(self->visitor_used);
}

static PyObject *
Counter_level(Counter *self, void *Py_UNUSED(closure))
{
    return PyLong_FromLong(self->level);
}

static PyMethodDef Counter_methods[] = {
    {"add", (PyCFunction)Counter_add, METH_O, add_doc},
    {"sample", (PyCFunction)Counter_sample, METH_O, sample_doc},
    {"requests", (PyCFunction)Counter_requests, METH_NOARGS, requests_doc},
    {"visitors_by_user_agent", (PyCFunction)Counter_visitors_by_user_agent, METH_NOARGS,
     visitors_by_user_agent_doc},
    {"visitors_packed", (PyCFunction)Counter_visitors_packed, METH_NOARGS, visitors_packed_doc},
    {"packed_in_order", (PyCFunction)Counter_packed_in_order, METH_NOARGS, packed_in_order_doc},
    {"take_new", (PyCFunction)Counter_take_new, METH_NOARGS, take_new_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Counter_getset[] = {
    {"visitors", (getter)Counter_visitors, NULL, "the number of visitors kept", NULL},
    {"level", (getter)Counter_level, NULL, "the sampling level (0: every visitor kept)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject CounterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "browsercheck._speedups.CombinedCounter",
    .tp_doc = "Requests per User-Agent and visitors of combined log lines (see Tally).",
    .tp_basicsize = sizeof(Counter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Counter_new,
    .tp_dealloc = (destructor)Counter_dealloc,
    .tp_methods = Counter_methods,
    .tp_getset = Counter_getset,
};

/* -- the bot check's plain-text patterns: Aho-Corasick ------------------------------------------- */
/* LiteralSet(texts).first(text) is the index of the first of texts (in their order) that text
 * contains, or None: what `_bots._PatternSet` asks of its ~1,400 plain-text crawlerdetect
 * patterns. One pass over the text through the trie of the texts, following failure links (the
 * longest suffix of what was read that is in the trie too) where a character leads nowhere;
 * built in a millisecond. The texts are ASCII; a character of the text that is in none of them
 * leads back to the start. The states near the start, where a pass over a browser's User-Agent
 * spends most of its steps, have a table of their moves (failure links followed); the deeper ones
 * a list of their children. A table for every state, as a DFA has, took 2.5 MB for these patterns
 * (this takes 0.3 MB); lists alone made the pass slower than the ua-parser-rs groups it replaces.
 *
 * LiteralSet(texts, starts=True).starts(text) is the list of the places where any of the texts
 * starts in text, ascending: what `_bots._CaseBlind` asks of the texts its exclusions start with,
 * to try them only there (Python's re tries them at every place whose character can start one, as
 * most letters can). It keeps two numbers more a state, only where asked for: the length of the
 * text ending there, and the nearest state on the failure path where one ends. */

#define LITERAL_TABLE_DEPTH 2 /* the states up to this many characters from the start have a table */

typedef struct {
    PyObject_HEAD
    Py_ssize_t n_states;
    int n_classes;
    unsigned char class_of[128]; /* 0: a character no text has */
    int32_t *start;              /* per class of character: the start state's child (0: none) */
    int32_t *child;              /* per state: its first child (0: none)... */
    int32_t *sibling;            /* ...and the next child of its parent */
    unsigned char *label;        /* the class of character that leads to it */
    int32_t *fail;
    int32_t *first; /* per state: the lowest index of a text ending there or at a suffix, or -1 */
    int32_t *row;   /* per state: its row of `table`, or -1 (a deep state) */
    int32_t *table; /* rows of n_classes: the state after reading each class of character */
    int32_t *length; /* with starts: per state, the length of the text ending there, or 0... */
    int32_t *output; /* ...and the nearest state on its failure path where a text ends, or 0 */
} LiteralSet;

static void
LiteralSet_dealloc(LiteralSet *self)
{
    PyMem_Free(self->start);
    PyMem_Free(self->child);
    PyMem_Free(self->sibling);
    PyMem_Free(self->label);
    PyMem_Free(self->fail);
    PyMem_Free(self->first);
    PyMem_Free(self->row);
    PyMem_Free(self->table);
    PyMem_Free(self->length);
    PyMem_Free(self->output);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* the lower of two indexes where -1 is none */
static inline int32_t
lowest(int32_t a, int32_t b)
{
    return a < 0 ? b : (b < 0 || a < b) ? a : b;
}

/* the child of `state` (not the start state) on class `c`, or 0 */
static inline int32_t
LiteralSet_child(const LiteralSet *self, int32_t state, unsigned char c)
{
    int32_t next = self->child[state];
    while (next != 0 && self->label[next] != c)
        next = self->sibling[next];
    return next;
}

/* the state after `state` reads a character of class `c` */
static inline int32_t
LiteralSet_step(const LiteralSet *self, int32_t state, unsigned char c)
{
    for (;;) {
        if (state == 0)
            return self->start[c];
        int32_t next = LiteralSet_child(self, state, c);
        if (next != 0)
            return next;
        state = self->fail[state];
    }
}

static int
LiteralSet_build(LiteralSet *self, PyObject *texts, int starts)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(texts), total = 1;
    PyObject **items = PySequence_Fast_ITEMS(texts);
    memset(self->class_of, 0, sizeof self->class_of);
    int n_classes = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = items[i];
        if (!PyUnicode_Check(text) || !PyUnicode_IS_ASCII(text)) {
            PyErr_Format(PyExc_ValueError, "LiteralSet: text %zd is not an ASCII str: %.60R", i, text);
            return -1;
        }
        const unsigned char *chars = PyUnicode_1BYTE_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        for (Py_ssize_t k = 0; k < len; k++)
            if (self->class_of[chars[k]] == 0)
                self->class_of[chars[k]] = (unsigned char)n_classes++;
        if (starts && len == 0) {
            PyErr_Format(PyExc_ValueError, "LiteralSet: text %zd is empty: it starts nowhere", i);
            return -1;
        }
        total += len;
    }
    if (n > INT32_MAX || total > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "LiteralSet: too many texts");
        return -1;
    }
    /* at most one state per character, and the start */
    self->start = PyMem_Calloc((size_t)n_classes, sizeof(int32_t));
    self->child = PyMem_Malloc((size_t)total * sizeof(int32_t));
    self->sibling = PyMem_Malloc((size_t)total * sizeof(int32_t));
    self->label = PyMem_Malloc((size_t)total);
    self->fail = PyMem_Malloc((size_t)total * sizeof(int32_t));
    self->first = PyMem_Malloc((size_t)total * sizeof(int32_t));
    int32_t *order = PyMem_Malloc((size_t)total * sizeof(int32_t)); /* the states breadth first */
    if (starts) {
        self->length = PyMem_Calloc((size_t)total, sizeof(int32_t));
        self->output = PyMem_Calloc((size_t)total, sizeof(int32_t));
    }
    if (!self->start || !self->child || !self->sibling || !self->label || !self->fail || !self->first || !order ||
        (starts && (!self->length || !self->output))) {
        PyMem_Free(order);
        PyErr_NoMemory();
        return -1; /* the dealloc frees the rest */
    }
    int32_t states = 1;
    self->child[0] = self->sibling[0] = 0;
    self->label[0] = 0;
    self->first[0] = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        const unsigned char *chars = PyUnicode_1BYTE_DATA(items[i]);
        Py_ssize_t len = PyUnicode_GET_LENGTH(items[i]);
        int32_t state = 0;
        for (Py_ssize_t k = 0; k < len; k++) {
            unsigned char c = self->class_of[chars[k]];
            int32_t next = state == 0 ? self->start[c] : LiteralSet_child(self, state, c);
            if (next == 0) {
                next = states++;
                self->child[next] = 0;
                self->label[next] = c;
                self->first[next] = -1;
                if (state == 0) {
                    self->sibling[next] = 0;
                    self->start[c] = next;
                }
                else {
                    self->sibling[next] = self->child[state];
                    self->child[state] = next;
                }
            }
            state = next;
        }
        self->first[state] = lowest(self->first[state], (int32_t)i);
        if (starts)
            self->length[state] = (int32_t)len;
    }
    /* breadth first: each state's failure link, and the texts ending at it inherited from there */
    Py_ssize_t head = 0, tail = 0;
    self->fail[0] = 0;
    for (int c = 0; c < n_classes; c++) {
        int32_t next = self->start[c];
        if (next != 0) {
            self->fail[next] = 0;
            self->first[next] = lowest(self->first[next], self->first[0]);
            order[tail++] = next;
        }
    }
    while (head < tail) {
        int32_t state = order[head++];
        for (int32_t next = self->child[state]; next != 0; next = self->sibling[next]) {
            int32_t link = LiteralSet_step(self, self->fail[state], self->label[next]);
            self->fail[next] = link;
            self->first[next] = lowest(self->first[next], self->first[link]);
            if (starts)
                self->output[next] = self->length[link] > 0 ? link : self->output[link];
            order[tail++] = next;
        }
    }
    /* the tables of the states near the start, breadth first: a missing move is the failure
     * link's, whose row (nearer the start) is filled already */
    int32_t *depth = PyMem_Malloc((size_t)states * sizeof(int32_t));
    self->row = PyMem_Malloc((size_t)states * sizeof(int32_t));
    if (!depth || !self->row) {
        PyMem_Free(depth);
        PyMem_Free(order);
        PyErr_NoMemory();
        return -1;
    }
    depth[0] = 0;
    int32_t rows = 1;
    for (int c = 0; c < n_classes; c++)
        if (self->start[c] != 0)
            depth[self->start[c]] = 1;
    for (Py_ssize_t k = 0; k < tail; k++) /* breadth first: a parent's depth is known */
        for (int32_t next = self->child[order[k]]; next != 0; next = self->sibling[next])
            depth[next] = depth[order[k]] + 1;
    self->row[0] = 0;
    for (Py_ssize_t k = 0; k < tail; k++)
        self->row[order[k]] = depth[order[k]] <= LITERAL_TABLE_DEPTH ? rows++ : -1;
    PyMem_Free(depth);
    self->table = PyMem_Malloc((size_t)rows * n_classes * sizeof(int32_t));
    if (!self->table) {
        PyMem_Free(order);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(self->table, self->start, (size_t)n_classes * sizeof(int32_t));
    for (Py_ssize_t k = 0; k < tail; k++) {
        int32_t state = order[k], r = self->row[state];
        if (r < 0)
            continue;
        const int32_t *fallback = &self->table[(Py_ssize_t)self->row[self->fail[state]] * n_classes];
        for (int c = 0; c < n_classes; c++) {
            int32_t next = LiteralSet_child(self, state, (unsigned char)c);
            self->table[(Py_ssize_t)r * n_classes + c] = next != 0 ? next : fallback[c];
        }
    }
    PyMem_Free(order);
    self->n_states = states;
    self->n_classes = n_classes;
    return 0;
}

/* the state after `state` reads a character of class `c`, once built */
static inline int32_t
LiteralSet_move(const LiteralSet *self, int32_t state, unsigned char c)
{
    for (;;) {
        int32_t r = self->row[state];
        if (r >= 0)
            return self->table[(Py_ssize_t)r * self->n_classes + c];
        int32_t next = LiteralSet_child(self, state, c);
        if (next != 0)
            return next;
        state = self->fail[state];
    }
}

static PyObject *
LiteralSet_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *texts;
    int starts = 0;
    static char *kwlist[] = {"texts", "starts", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$p:LiteralSet", kwlist, &texts, &starts))
        return NULL;
    PyObject *sequence = PySequence_Fast(texts, "LiteralSet: texts must be a sequence of str");
    if (sequence == NULL)
        return NULL;
    LiteralSet *self = (LiteralSet *)type->tp_alloc(type, 0);
    if (self != NULL && LiteralSet_build(self, sequence, starts) < 0)
        Py_CLEAR(self);
    Py_DECREF(sequence);
    return (PyObject *)self;
}

PyDoc_STRVAR(first_doc,
"first(text, /) -> int | None\n"
"\n"
"The index of the first of the texts (in their order) that text contains, or None.");

static PyObject *
LiteralSet_first(LiteralSet *self, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "first() takes a str, got %.80s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    const int32_t *first = self->first;
    int32_t best = first[0], state = 0;
    for (Py_ssize_t i = 0; i < len && best != 0; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        unsigned char c = ch < 128 ? self->class_of[ch] : 0;
        state = c == 0 ? 0 : LiteralSet_move(self, state, c);
        best = lowest(best, first[state]);
    }
    if (best < 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(best);
}

PyDoc_STRVAR(starts_doc,
"starts(text, /) -> list[int]\n"
"\n"
"The places where any of the texts starts in text, ascending (a LiteralSet made with starts=True).");

static PyObject *
LiteralSet_starts(LiteralSet *self, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "starts() takes a str, got %.80s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    if (self->length == NULL) {
        PyErr_SetString(PyExc_ValueError, "starts() needs a LiteralSet made with starts=True");
        return NULL;
    }
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    /* a text found ends at i; a longer one ending later may start before it: marked, then listed */
    unsigned char *at = PyMem_Calloc((size_t)len + 1, 1); /* + 1: never a zero-byte allocation */
    if (at == NULL)
        return PyErr_NoMemory();
    int32_t state = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        unsigned char c = ch < 128 ? self->class_of[ch] : 0;
        state = c == 0 ? 0 : LiteralSet_move(self, state, c);
        for (int32_t s = self->length[state] > 0 ? state : self->output[state]; s != 0; s = self->output[s])
            at[i + 1 - self->length[s]] = 1;
    }
    PyObject *places = PyList_New(0);
    for (Py_ssize_t i = 0; places != NULL && i < len; i++) {
        if (!at[i])
            continue;
        PyObject *place = PyLong_FromSsize_t(i);
        if (place == NULL || PyList_Append(places, place) < 0)
            Py_CLEAR(places);
        Py_XDECREF(place);
    }
    PyMem_Free(at);
    return places;
}

static PyObject *
LiteralSet_sizeof(LiteralSet *self, PyObject *Py_UNUSED(ignored))
{
    size_t per_state = (self->length != NULL ? 7 : 5) * sizeof(int32_t) + 1, rows = 0;
    for (Py_ssize_t state = 0; state < self->n_states; state++)
        rows += self->row[state] >= 0;
    return PyLong_FromSize_t(sizeof(LiteralSet) + (rows + 1) * self->n_classes * sizeof(int32_t) +
                             (size_t)self->n_states * per_state);
}

static PyMethodDef LiteralSet_methods[] = {
    {"first", (PyCFunction)LiteralSet_first, METH_O, first_doc},
    {"starts", (PyCFunction)LiteralSet_starts, METH_O, starts_doc},
    {"__sizeof__", (PyCFunction)LiteralSet_sizeof, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LiteralSetType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "browsercheck._speedups.LiteralSet",
    .tp_doc = "LiteralSet(texts, *, starts=False): which of many ASCII texts a str contains, the first in their\n"
              "order; with starts, also where any of them starts.",
    .tp_basicsize = sizeof(LiteralSet),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = LiteralSet_new,
    .tp_dealloc = (destructor)LiteralSet_dealloc,
    .tp_methods = LiteralSet_methods,
};

/* -- making records ---------------------------------------------------------------------------- */

/* SlotsMaker(cls, fields, fixed): maker(*values) is a new cls whose slots `fields` hold `values`, in
 * order, and whose slots `fixed` (a dict) hold its values; cls's __init__ is not called, as
 * object.__new__(cls) and each slot's descriptor would make it (a frozen dataclass's __init__ sets
 * each field through object.__setattr__). One call instead of a descriptor call per slot: a
 * Client of 14 fields in 0.19 us instead of 0.73. The slots are checked when the maker is made:
 * each one a writable object slot of cls or of a class it derives from, cls made by
 * object.__new__ and not abstract; whether every slot is named is the Python side's check
 * (_model.slots_maker). */

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyTypeObject *cls;
    Py_ssize_t n_fields;   /* the first n_fields offsets are set from the arguments */
    Py_ssize_t n_slots;    /* the rest from fixed_values */
    Py_ssize_t *offsets;
    PyObject **fixed_values;
} SlotsMaker;

/* GC: a maker holds its class and its fixed values, either of which may refer back to it (a class
 * holding its maker as an attribute is the usual case). */
static int
SlotsMaker_traverse(SlotsMaker *self, visitproc visit, void *arg)
{
    Py_VISIT(self->cls);
    for (Py_ssize_t i = 0; self->fixed_values != NULL && i < self->n_slots - self->n_fields; i++)
        Py_VISIT(self->fixed_values[i]);
    return 0;
}

static int
SlotsMaker_clear(SlotsMaker *self)
{
    Py_CLEAR(self->cls);
    for (Py_ssize_t i = 0; self->fixed_values != NULL && i < self->n_slots - self->n_fields; i++)
        Py_CLEAR(self->fixed_values[i]);
    self->n_slots = self->n_fields;
    return 0;
}

static void
SlotsMaker_dealloc(SlotsMaker *self)
{
    PyObject_GC_UnTrack(self);
    SlotsMaker_clear(self);
    PyMem_Free(self->fixed_values);
    PyMem_Free(self->offsets);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The offset of cls's slot `name` in its instances, or -1 with an error set. */
static Py_ssize_t
slot_offset(PyTypeObject *cls, PyObject *name)
{
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "SlotsMaker: a slot's name is a str, got %R", name);
        return -1;
    }
    PyObject *descr = PyObject_GetAttr((PyObject *)cls, name);
    if (descr == NULL)
        return -1;
    Py_ssize_t offset = -1;
    if (!Py_IS_TYPE(descr, &PyMemberDescr_Type) || !PyType_IsSubtype(cls, PyDescr_TYPE(descr))) {
        PyErr_Format(PyExc_TypeError, "SlotsMaker: %R is not a slot of %s", name, cls->tp_name);
    }
    else {
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != T_OBJECT_EX || (member->flags & READONLY) || member->offset <= 0 ||
            member->offset + (Py_ssize_t)sizeof(PyObject *) > cls->tp_basicsize)
            PyErr_Format(PyExc_TypeError, "SlotsMaker: %s's slot %R does not hold an object", cls->tp_name, name);
        else
            offset = member->offset;
    }
    Py_DECREF(descr);
    return offset;
}

static PyObject *SlotsMaker_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames);

static PyObject *
SlotsMaker_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"cls", "fields", "fixed", NULL};
    PyObject *cls, *fields, *fixed;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!:SlotsMaker", keywords, &PyType_Type, &cls, &PyTuple_Type,
                                     &fields, &PyDict_Type, &fixed))
        return NULL;
    PyTypeObject *made_type = (PyTypeObject *)cls;
    if (made_type->tp_new != PyBaseObject_Type.tp_new) {
        PyErr_Format(PyExc_TypeError, "SlotsMaker: %s has a __new__ of its own", made_type->tp_name);
        return NULL;
    }
    if (PyType_HasFeature(made_type, Py_TPFLAGS_IS_ABSTRACT)) { /* object.__new__ refuses it too */
        PyErr_Format(PyExc_TypeError, "SlotsMaker: %s is abstract", made_type->tp_name);
        return NULL;
    }
    /* the fixed names and values, in a list of this function's own: looking a name up runs Python
     * code (a metaclass's __getattribute__), which could change the dict while it is read */
    PyObject *items = PyDict_Items(fixed);
    if (items == NULL)
        return NULL;
    Py_ssize_t n_fields = PyTuple_GET_SIZE(fields), n_slots = n_fields + PyList_GET_SIZE(items);
    SlotsMaker *self = (SlotsMaker *)type->tp_alloc(type, 0);
    if (self == NULL) {
        Py_DECREF(items);
        return NULL;
    }
    self->vectorcall = SlotsMaker_vectorcall;
    self->cls = (PyTypeObject *)Py_NewRef(cls);
    self->n_fields = n_fields;
    self->n_slots = n_fields; /* grows as fixed values are taken (clear and traverse read that many) */
    self->offsets = PyMem_New(Py_ssize_t, n_slots + 1);
    self->fixed_values = PyMem_New(PyObject *, n_slots - n_fields + 1);
    if (self->offsets == NULL || self->fixed_values == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (Py_ssize_t i = 0; i < n_fields; i++)
        if ((self->offsets[i] = slot_offset(made_type, PyTuple_GET_ITEM(fields, i))) < 0)
            goto error;
    for (Py_ssize_t i = n_fields; i < n_slots; i++) {
        PyObject *item = PyList_GET_ITEM(items, i - n_fields); /* a (name, value) tuple the list holds */
        if ((self->offsets[i] = slot_offset(made_type, PyTuple_GET_ITEM(item, 0))) < 0)
            goto error;
        self->fixed_values[i - n_fields] = Py_NewRef(PyTuple_GET_ITEM(item, 1));
        self->n_slots++;
    }
    for (Py_ssize_t i = 0; i < n_slots; i++)
        for (Py_ssize_t j = 0; j < i; j++)
            if (self->offsets[i] == self->offsets[j]) {
                PyObject *name = i < n_fields ? PyTuple_GET_ITEM(fields, i)
                                              : PyTuple_GET_ITEM(PyList_GET_ITEM(items, i - n_fields), 0);
                PyErr_Format(PyExc_TypeError, "SlotsMaker: %s's slot %R is named twice", made_type->tp_name, name);
                goto error;
            }
    Py_DECREF(items);
    return (PyObject *)self;
error:
    Py_DECREF(items);
    Py_DECREF(self);
    return NULL;
}

static PyObject *
SlotsMaker_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    SlotsMaker *self = (SlotsMaker *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (self->cls == NULL) { /* cleared by the garbage collector, in a cycle being freed */
        PyErr_SetString(PyExc_RuntimeError, "SlotsMaker: called after it was cleared");
        return NULL;
    }
    if (nargs != self->n_fields || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0)) {
        PyErr_Format(PyExc_TypeError, "making a %s takes %zd positional argument%s, got %zd%s", self->cls->tp_name,
                     self->n_fields, self->n_fields == 1 ? "" : "s", nargs,
                     kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0 ? " and keywords" : "");
        return NULL;
    }
    PyObject *made = self->cls->tp_alloc(self->cls, 0); /* as object.__new__(cls): every slot NULL */
    if (made == NULL)
        return NULL;
    char *base = (char *)made;
    for (Py_ssize_t i = 0; i < nargs; i++)
        *(PyObject **)(base + self->offsets[i]) = Py_NewRef(args[i]);
    for (Py_ssize_t i = nargs; i < self->n_slots; i++)
        *(PyObject **)(base + self->offsets[i]) = Py_NewRef(self->fixed_values[i - nargs]);
    return made;
}

static PyTypeObject SlotsMakerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "browsercheck._speedups.SlotsMaker",
    .tp_doc = "SlotsMaker(cls, fields, fixed): maker(*values) is a new cls, its slots `fields` set to values\n"
              "in order and its slots `fixed` (a dict) to its values, without cls's __init__.",
    .tp_basicsize = sizeof(SlotsMaker),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_HAVE_GC,
    .tp_new = SlotsMaker_new,
    .tp_dealloc = (destructor)SlotsMaker_dealloc,
    .tp_traverse = (traverseproc)SlotsMaker_traverse,
    .tp_clear = (inquiry)SlotsMaker_clear,
    .tp_free = PyObject_GC_Del,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(SlotsMaker, vectorcall),
};

PyDoc_STRVAR(siphash_doc,
"siphash(key, data, c_rounds, d_rounds, /) -> int\n"
"\n"
"SipHash-c-d of data (any buffer) under the 16-byte key: what the counter computes for visitors\n"
"(c 1, d 3, its own key), exposed so that tests compare it with _visitorhash.siphash.");

static PyObject *
module_siphash(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_Format(PyExc_TypeError, "siphash() takes 4 arguments, got %zd", nargs);
        return NULL;
    }
    long c_rounds = PyLong_AsLong(args[2]), d_rounds = PyLong_AsLong(args[3]);
    if ((c_rounds == -1 || d_rounds == -1) && PyErr_Occurred())
        return NULL;
    if (c_rounds < 1 || c_rounds > 8 || d_rounds < 1 || d_rounds > 8) {
        PyErr_Format(PyExc_ValueError, "siphash: rounds must be from 1 to 8, got %ld and %ld", c_rounds, d_rounds);
        return NULL;
    }
    Py_buffer key, data;
    if (PyObject_GetBuffer(args[0], &key, PyBUF_SIMPLE) < 0)
        return NULL;
    if (key.len != 16) {
        PyErr_Format(PyExc_ValueError, "siphash: the key must be 16 bytes, got %zd", key.len);
        PyBuffer_Release(&key);
        return NULL;
    }
    if (PyObject_GetBuffer(args[1], &data, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&key);
        return NULL;
    }
    uint64_t h = siphash(key.buf, data.buf, data.len, (int)c_rounds, (int)d_rounds);
    PyBuffer_Release(&data);
    PyBuffer_Release(&key);
    return PyLong_FromUnsignedLongLong(h);
}

PyDoc_STRVAR(union_packed_doc,
"union_packed(a, b, /) -> bytes\n"
"\n"
"The union of two lists of visitor hashes packed as CombinedCounter.visitors_packed() packs them\n"
"(8 bytes each, little-endian, ascending, each once), packed alike: one pass over both, where a\n"
"merge of tallies would otherwise make a Python int and set per visitor.");

static PyObject *
module_union_packed(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "union_packed() takes 2 arguments, got %zd", nargs);
        return NULL;
    }
    Py_buffer a, b;
    if (PyObject_GetBuffer(args[0], &a, PyBUF_SIMPLE) < 0)
        return NULL;
    if (PyObject_GetBuffer(args[1], &b, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&a);
        return NULL;
    }
    PyObject *out = NULL;
    if (a.len % 8 != 0 || b.len % 8 != 0) {
        PyErr_Format(PyExc_ValueError, "union_packed(): hashes are 8 bytes each, got %zd and %zd bytes", a.len,
                     b.len);
        goto done;
    }
    out = PyBytes_FromStringAndSize(NULL, a.len + b.len);
    if (out == NULL)
        goto done;
    const unsigned char *p = a.buf, *p_end = p + a.len, *q = b.buf, *q_end = q + b.len;
    unsigned char *start = (unsigned char *)PyBytes_AS_STRING(out), *o = start;
    while (p < p_end && q < q_end) {
        uint64_t x = read_le64(p), y = read_le64(q);
        if (x <= y) {
            memcpy(o, p, 8);
            p += 8;
            q += x == y ? 8 : 0; /* in both: once */
        }
        else {
            memcpy(o, q, 8);
            q += 8;
        }
        o += 8;
    }
    memcpy(o, p, (size_t)(p_end - p)); /* what is left of one of them */
    o += p_end - p;
    memcpy(o, q, (size_t)(q_end - q));
    o += q_end - q;
    _PyBytes_Resize(&out, o - start); /* shrinks it, or sets an error and out to NULL */
done:
    PyBuffer_Release(&b);
    PyBuffer_Release(&a);
    return out;
}

PyDoc_STRVAR(sample_packed_doc,
"sample_packed(packed, level, /) -> bytes\n"
"\n"
"The visitor hashes of packed (as union_packed takes them) that the sampling level keeps, those\n"
"whose hash & (2**level - 1) == 0 (from level 64 on, 0 alone), packed alike: a packed tally\n"
"sampled more stays packed.");

static PyObject *
module_sample_packed(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "sample_packed() takes 2 arguments, got %zd", nargs);
        return NULL;
    }
    long level = PyLong_AsLong(args[1]);
    if (level == -1 && PyErr_Occurred())
        return NULL;
    if (level < 0) {
        PyErr_Format(PyExc_ValueError, "sample_packed(): level must be 0 or more, got %ld", level);
        return NULL;
    }
    Py_buffer in;
    if (PyObject_GetBuffer(args[0], &in, PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *out = NULL;
    if (in.len % 8 != 0) {
        PyErr_Format(PyExc_ValueError, "sample_packed(): hashes are 8 bytes each, got %zd bytes", in.len);
        goto done;
    }
    out = PyBytes_FromStringAndSize(NULL, in.len);
    if (out == NULL)
        goto done;
    uint64_t mask = level >= 64 ? UINT64_MAX : ((uint64_t)1 << level) - 1; /* as Python's 2**level - 1 */
    const unsigned char *p = in.buf, *end = p + in.len;
    unsigned char *start = (unsigned char *)PyBytes_AS_STRING(out), *o = start;
    for (; p < end; p += 8) {
        if ((read_le64(p) & mask) == 0) {
            memcpy(o, p, 8);
            o += 8;
        }
    }
    _PyBytes_Resize(&out, o - start); /* shrinks it, or sets an error and out to NULL */
done:
    PyBuffer_Release(&in);
    return out;
}

static PyMethodDef module_methods[] = {
    {"siphash", (PyCFunction)(void (*)(void))module_siphash, METH_FASTCALL, siphash_doc},
    {"union_packed", (PyCFunction)(void (*)(void))module_union_packed, METH_FASTCALL, union_packed_doc},
    {"sample_packed", (PyCFunction)(void (*)(void))module_sample_packed, METH_FASTCALL, sample_packed_doc},
    {NULL, NULL, 0, NULL},
};

static int
module_exec(PyObject *module)
{
    if (PyModule_AddType(module, &CounterType) < 0 || PyModule_AddType(module, &SlotsMakerType) < 0)
        return -1;
    return PyModule_AddType(module, &LiteralSetType);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "browsercheck._speedups",
    .m_doc = "The audit's line counting, the bot check's plain-text search and the making of records in C\n"
              "(optional: browsercheck works without them, slower).",
    .m_size = 0,
    .m_methods = module_methods,
    .m_slots = module_slots,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModuleDef_Init(&module);
}
