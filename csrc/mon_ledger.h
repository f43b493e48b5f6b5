/*
 * mon_ledger.h - the audit ledger: a SHA-256 hash chain of fixed-size events, in caller memory.
 *
 * Every event (a state change, a violation, a reaction, a reset, a rule transition...) is one
 * entry of MON_LEDGER_ENTRY_BYTES bytes, every integer little-endian (docs/ledger.md):
 *
 *   offset size  field
 *        0    4  magic       "MLG1" (0x4D 0x4C 0x47 0x31)
 *        4    2  version     1
 *        6    2  kind        mon_ledger_kind
 *        8    8  index       position in the chain (the genesis entry is 0)
 *       16    8  tick        the caller's tick when the event was appended (not judged)
 *       24    4  payload_len 0..MON_LEDGER_MAX_PAYLOAD
 *       28    4  reserved    0
 *       32   32  prev        hash of entry index - 1 (32 zero bytes for the genesis entry)
 *       64  128  payload     payload_len bytes, the rest zero
 *      192   32  hash        SHA-256 of bytes 0..191
 *
 * Entry 0 is the genesis entry (kind GENESIS): its payload binds the policy hash (32 bytes), the
 * reference digest (32 bytes), the checkpoint interval K (u32) and the model version (u32 length
 * then at most MON_LEDGER_MODEL_MAX printable ASCII bytes). When K > 0, every entry whose index
 * is a positive multiple of K is a CHECKPOINT, written by the ledger itself: payload = u64 count
 * (its own index: the entries before it), the head (hash of the entry before it) and the
 * genesis entry's hash (72 bytes). Hosts keep an anchor (count + head: mon_ledger_head) outside
 * the ledger's file; the verifier detects truncation against it.
 *
 * Memory: mon_ledger_size(capacity) bytes, 8-byte aligned: the object plus a ring of the last
 * `capacity` entries (encoded, readable with mon_ledger_entry). Durable copy: every entry is
 * handed, in chain order, exactly once and whole, to the caller's write callback (NULL: memory
 * only). A failed write (callback returns nonzero) never loses chain state: the entry stays in
 * the chain and the ring and is *pending*; pending entries are written again, in order, before
 * anything new (by mon_ledger_append and mon_ledger_flush). At most `capacity` entries may be
 * pending: an append that would need more is refused (MON_E_OVERFLOW, nothing changes), so
 * the caller always learns that an event was not recorded.
 *
 * Bounds: every loop runs at most MON_LEDGER_ENTRY_BYTES, MON_LEDGER_MAX_CAPACITY (pending
 * writes) or, in the verifier, len / MON_LEDGER_ENTRY_BYTES times. No recursion; the one call
 * through a function pointer is the caller's write callback, which must not call the ledger
 * (it is refused with MON_E_STATE while a write is under way).
 *
 * Threads: a ledger is single-threaded (the caller serialises calls on one object; distinct
 * ledgers are independent). mon_ledger_verify and mon_ledger_decode keep no state: thread-safe.
 */
#ifndef MON_LEDGER_H
#define MON_LEDGER_H

#include "mon_config.h"
#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN (this block is read verbatim by the cffi build: plain C declarations only) */
#define MON_LEDGER_ENTRY_BYTES 224
#define MON_LEDGER_HASH_BYTES 32
#define MON_LEDGER_MAX_PAYLOAD 128
#define MON_LEDGER_MODEL_MAX 56
#define MON_LEDGER_MAX_CAPACITY 65536
#define MON_LEDGER_MAX_CHECKPOINT_EVERY 1048576
#define MON_LEDGER_VERSION 1

/* Event kinds (stable numbers: they are in the entries). GENESIS and CHECKPOINT are written by
 * the ledger itself; mon_ledger_append takes the others. */
typedef enum mon_ledger_kind {
    MON_LEDGER_GENESIS = 0,
    MON_LEDGER_STATE = 1,     /* a health state change */
    MON_LEDGER_VIOLATION = 2, /* an envelope / contract violation */
    MON_LEDGER_REACTION = 3,  /* a reaction executed */
    MON_LEDGER_RESET = 4,     /* an explicit reset */
    MON_LEDGER_RULE = 5,      /* a rule transition (firing / resolved) */
    MON_LEDGER_CHECKPOINT = 6,
    MON_LEDGER_DRIFT = 7, /* a drift window result */
    MON_LEDGER_FAULT = 8, /* an engine fault */
    MON_LEDGER_HOST = 9,  /* anything else the host records */
    MON_LEDGER_KIND_COUNT = 10
} mon_ledger_kind;

/* What the verifier found (mon_ledger_report.fault). */
typedef enum mon_ledger_fault {
    MON_LEDGER_OK = 0,
    MON_LEDGER_F_PARTIAL = 1,    /* the bytes end inside an entry (a torn last write); or none */
    MON_LEDGER_F_FORMAT = 2,     /* bad magic, version, reserved field, payload length/padding */
    MON_LEDGER_F_HASH = 3,       /* the stored hash is not the SHA-256 of the entry: modified */
    MON_LEDGER_F_INDEX = 4,      /* index field is not the position: reordered, inserted, removed */
    MON_LEDGER_F_LINK = 5,       /* prev is not the hash of the entry before: reordered, inserted */
    MON_LEDGER_F_KIND = 6,       /* unknown kind, or a genesis entry anywhere but first */
    MON_LEDGER_F_GENESIS = 7,    /* entry 0 is not a valid genesis entry */
    MON_LEDGER_F_CHECKPOINT = 8, /* a checkpoint missing where due, present where not, or wrong */
    MON_LEDGER_F_SHORT = 9,      /* fewer entries than the anchor's count: truncated */
    MON_LEDGER_F_ANCHOR = 10     /* the entry at the anchor's count - 1 has another hash */
} mon_ledger_fault;

/* The caller's durable copy: write n bytes (one whole entry); return 0 on success, anything
 * else on failure (the entry stays pending). Must not call the ledger. */
typedef int (*mon_ledger_write_fn)(void *ctx, const uint8_t *bytes, size_t n);

/* What the genesis entry binds. */
typedef struct mon_ledger_genesis {
    uint8_t policy_hash[32];
    uint8_t reference_digest[32];
    uint32_t checkpoint_every;           /* K: 0 (no checkpoints) .. MAX_CHECKPOINT_EVERY */
    uint32_t model_len;                  /* 0..MON_LEDGER_MODEL_MAX */
    uint8_t model[MON_LEDGER_MODEL_MAX]; /* printable ASCII (0x20..0x7e), model_len bytes */
} mon_ledger_genesis;

/* A chain head: number of entries and the hash of the last one (an anchor). */
typedef struct mon_ledger_anchor {
    uint64_t count;
    uint8_t head[32];
} mon_ledger_anchor;

/* One decoded entry. */
typedef struct mon_ledger_entry {
    uint64_t index;
    uint64_t tick;
    uint32_t kind;
    uint32_t payload_len;
    uint8_t prev[32];
    uint8_t hash[32];
    uint8_t payload[MON_LEDGER_MAX_PAYLOAD];
} mon_ledger_entry;

/* The verifier's result. */
typedef struct mon_ledger_report {
    uint32_t fault;             /* mon_ledger_fault */
    uint32_t reserved;          /* 0 */
    uint64_t first_bad;         /* index of the first bad entry (SHORT: the first missing one) */
    uint64_t count;             /* entries verified good (a prefix of the bytes) */
    uint8_t head[32];           /* hash of the last good entry (zero when count == 0) */
    mon_ledger_genesis genesis; /* what the genesis entry binds (valid when count > 0) */
} mon_ledger_report;

typedef struct mon_ledger mon_ledger;

/* Bytes of caller memory for a ledger keeping the last `capacity` entries; 0 when capacity is
 * 0 or above MON_LEDGER_MAX_CAPACITY. Thread-safe. */
size_t mon_ledger_size(uint32_t capacity);

/* Build a ledger in `mem` (`size` bytes, 8-byte aligned, >= mon_ledger_size(capacity)) and
 * append its genesis entry at `tick`. write may be NULL (memory only; ctx is then unused).
 * Returns MON_E_NULL (mem, genesis or out), MON_E_ALIGN (mem or out), MON_E_SIZE (capacity
 * out of range or size too small), MON_E_VALUE (checkpoint_every or model_len out of range, a
 * model byte not printable ASCII): nothing done. MON_E_TRUNCATED: the ledger is built (*out
 * set) but the genesis entry's write failed; it is pending (see the file comment). */
mon_status mon_ledger_init(void *mem, size_t size, uint32_t capacity,
                           const mon_ledger_genesis *genesis, uint64_t tick,
                           mon_ledger_write_fn write, void *ctx, mon_ledger **out);

/* Append one event (kind: any but GENESIS and CHECKPOINT; payload_len <= MON_LEDGER_MAX_PAYLOAD;
 * payload may be NULL only when payload_len is 0). Pending entries are written first; when a
 * checkpoint is due (K > 0 and the next index is a multiple of K) it is appended before the
 * event, with the same tick. Returns MON_E_NULL, MON_E_ALIGN, MON_E_STATE (not a valid
 * ledger, or called from its own write callback), MON_E_VALUE (kind), MON_E_SIZE
 * (payload_len), MON_E_OVERFLOW (the entries would exceed 2^63, or more than `capacity` would
 * be pending: the event is not recorded, nothing changes); MON_E_TRUNCATED: the event is in
 * the chain but a write failed (it and any later entries are pending). */
mon_status mon_ledger_append(mon_ledger *l, uint32_t kind, uint64_t tick, const uint8_t *payload,
                             size_t payload_len);

/* Write the pending entries, in order. Returns MON_OK (none pending), MON_E_NULL, MON_E_ALIGN,
 * MON_E_STATE, MON_E_TRUNCATED (a write failed: the rest stay pending). */
mon_status mon_ledger_flush(mon_ledger *l);

/* The chain head: entry count and the last entry's hash. *written (may be NULL) gets the number
 * of entries handed to the write callback successfully (== count when nothing is pending; ==
 * count always when write is NULL). Returns MON_E_NULL, MON_E_ALIGN, MON_E_STATE. */
mon_status mon_ledger_head(const mon_ledger *l, mon_ledger_anchor *anchor, uint64_t *written);

/* Copy entry `index` (still in the ring: one of the last `capacity`) into out
 * (MON_LEDGER_ENTRY_BYTES bytes). Returns MON_E_NULL, MON_E_ALIGN, MON_E_STATE, MON_E_VALUE
 * (index not in the ring). */
mon_status mon_ledger_entry_bytes(const mon_ledger *l, uint64_t index,
                                  uint8_t out[MON_LEDGER_ENTRY_BYTES]);

/* Decode one entry and check it on its own (format and hash, not its place in a chain).
 * Returns MON_E_NULL, MON_E_ALIGN (out), MON_E_TRUNCATED (n < MON_LEDGER_ENTRY_BYTES),
 * MON_E_FORMAT, MON_E_CHECKSUM (the hash does not match); on failure *out is not written. */
mon_status mon_ledger_decode(const uint8_t *bytes, size_t n, mon_ledger_entry *out);

/* Verify a whole ledger (its entries back to back, genesis first) offline. anchor may be NULL;
 * when given, the ledger must hold at least anchor->count entries and entry count - 1 must
 * have the anchor's hash (a longer ledger is a grown one, verified in full). The report says
 * the first bad entry and why (fault), and the good prefix's count and head. Returns MON_OK
 * (every entry good), MON_E_NULL (bytes with len > 0, or report; report is then not written),
 * MON_E_ALIGN (report or anchor), MON_E_TRUNCATED (PARTIAL, SHORT), MON_E_CHECKSUM (HASH,
 * LINK, ANCHOR), MON_E_FORMAT (the other faults). */
mon_status mon_ledger_verify(const uint8_t *bytes, size_t len, const mon_ledger_anchor *anchor,
                             mon_ledger_report *report);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_LEDGER_H */
