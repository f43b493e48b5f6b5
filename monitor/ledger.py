"""The audit ledger (``csrc/mon_ledger.h``): a SHA-256 hash chain of fixed-size events, kept by
the C core in a ring and appended to a file (or kept in memory), and its offline verifier.

``Ledger(path, policy_hash=..., reference_digest=..., model_version=...)`` starts a ledger file
with its genesis entry; :meth:`Ledger.append` records an event; :meth:`Ledger.head` gives the
anchor (entry count + head hash) to keep somewhere else; :func:`verify_ledger` checks a file
(tampering, reordering, insertion, and truncation against an anchor) and names the first bad
entry. Entries are read back as frozen :class:`LedgerEntry` objects. The format, byte by byte:
docs/ledger.md. A ledger object is not thread-safe (one writer; the C object is single-threaded).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._ffi import check, ffi, lib
from .errors import CorruptDataError, InvalidArgumentError, InvalidTypeError

__all__ = [
    "Ledger",
    "LedgerEntry",
    "LedgerKind",
    "LedgerAnchor",
    "LedgerReport",
    "LedgerVerificationError",
    "verify_ledger",
    "verify_ledger_bytes",
    "read_entries",
    "ENTRY_BYTES",
    "MAX_PAYLOAD",
]

ENTRY_BYTES: int = int(lib.MON_LEDGER_ENTRY_BYTES)
MAX_PAYLOAD: int = int(lib.MON_LEDGER_MAX_PAYLOAD)
MODEL_MAX: int = int(lib.MON_LEDGER_MODEL_MAX)


class LedgerKind(enum.IntEnum):
    """Event kinds (the C enum ``mon_ledger_kind``)."""

    GENESIS = int(lib.MON_LEDGER_GENESIS)
    STATE = int(lib.MON_LEDGER_STATE)
    VIOLATION = int(lib.MON_LEDGER_VIOLATION)
    REACTION = int(lib.MON_LEDGER_REACTION)
    RESET = int(lib.MON_LEDGER_RESET)
    RULE = int(lib.MON_LEDGER_RULE)
    CHECKPOINT = int(lib.MON_LEDGER_CHECKPOINT)
    DRIFT = int(lib.MON_LEDGER_DRIFT)
    FAULT = int(lib.MON_LEDGER_FAULT)
    HOST = int(lib.MON_LEDGER_HOST)


_FAULTS = {
    int(lib.MON_LEDGER_OK): "ok",
    int(lib.MON_LEDGER_F_PARTIAL): "the file ends inside an entry (a torn write) or holds none",
    int(lib.MON_LEDGER_F_FORMAT): "not a ledger entry (magic, version, reserved field or payload length)",
    int(lib.MON_LEDGER_F_HASH): "its hash does not match its content (modified)",
    int(lib.MON_LEDGER_F_INDEX): "its index is not its position (entries reordered, inserted or removed)",
    int(lib.MON_LEDGER_F_LINK): "it does not chain to the entry before (reordered or inserted)",
    int(lib.MON_LEDGER_F_KIND): "unknown kind, or a genesis entry after the first",
    int(lib.MON_LEDGER_F_GENESIS): "the first entry is not a valid genesis entry",
    int(lib.MON_LEDGER_F_CHECKPOINT): "a checkpoint is missing, misplaced or wrong",
    int(lib.MON_LEDGER_F_SHORT): "the ledger has fewer entries than the anchor: truncated",
    int(lib.MON_LEDGER_F_ANCHOR): "its hash is not the anchor's head",
}
_FAULT_NAMES = {
    int(lib.MON_LEDGER_OK): "ok",
    int(lib.MON_LEDGER_F_PARTIAL): "partial",
    int(lib.MON_LEDGER_F_FORMAT): "format",
    int(lib.MON_LEDGER_F_HASH): "hash",
    int(lib.MON_LEDGER_F_INDEX): "index",
    int(lib.MON_LEDGER_F_LINK): "link",
    int(lib.MON_LEDGER_F_KIND): "kind",
    int(lib.MON_LEDGER_F_GENESIS): "genesis",
    int(lib.MON_LEDGER_F_CHECKPOINT): "checkpoint",
    int(lib.MON_LEDGER_F_SHORT): "short",
    int(lib.MON_LEDGER_F_ANCHOR): "anchor",
}


@dataclass(frozen=True, slots=True)
class LedgerAnchor:
    """A chain head kept outside the ledger: its entry count and the last entry's hash."""

    count: int
    head: bytes

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or not 1 <= self.count < 2**63:
            raise InvalidArgumentError(f"anchor count must be an integer in [1, 2**63), got {self.count!r}")
        if not isinstance(self.head, bytes) or len(self.head) != 32:
            raise InvalidArgumentError("anchor head must be 32 bytes (64 hex digits)")

    @classmethod
    def parse(cls, head_hex: str, count: int) -> LedgerAnchor:
        """From the command line's ``--head HEX --count N``."""
        h = head_hex.strip().lower()
        if len(h) != 64 or any(c not in "0123456789abcdef" for c in h):
            raise InvalidArgumentError(f"--head must be 64 hex digits, got {head_hex!r}")
        return cls(count, bytes.fromhex(h))


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One entry, decoded and checked on its own (format and hash)."""

    index: int
    kind: LedgerKind
    tick: int
    payload: bytes
    prev: bytes
    hash: bytes


@dataclass(frozen=True, slots=True)
class LedgerReport:
    """What :func:`verify_ledger` found. ``ok`` is True when every entry is good (and the anchor,
    when given, matches); otherwise ``first_bad`` is the index of the first bad entry and
    ``fault`` / ``reason`` say why. ``count`` / ``head`` describe the good prefix."""

    ok: bool
    fault: str
    reason: str
    first_bad: int
    count: int
    head: bytes
    policy_hash: bytes
    reference_digest: bytes
    model_version: str
    checkpoint_every: int

    def message(self, path: str = "ledger") -> str:
        if self.ok:
            return f"{path}: OK, {self.count} entries, head {self.head.hex()}"
        return f"{path}: entry {self.first_bad}: {self.reason} ({self.count} good entries before it)"


class LedgerVerificationError(CorruptDataError):
    """A ledger failed verification; ``report`` holds the :class:`LedgerReport`."""

    def __init__(self, message: str, report: LedgerReport) -> None:
        super().__init__(message)
        self.report = report


def _bytes32(v: Any, what: str) -> bytes:
    if isinstance(v, str):
        s = v[7:] if v.startswith("sha256:") else v
        try:
            b = bytes.fromhex(s)
        except ValueError:
            b = b""
        if len(b) != 32 or len(s) != 64:
            raise InvalidArgumentError(
                f"{what} must be 32 bytes or 64 hex digits (optionally 'sha256:'), got {v!r}"
            )
        return b
    if isinstance(v, (bytes, bytearray)) and len(v) == 32:
        return bytes(v)
    raise InvalidArgumentError(f"{what} must be 32 bytes or 64 hex digits, got {type(v).__name__}")


def _entry(raw: bytes) -> LedgerEntry:
    e = ffi.new("mon_ledger_entry *")
    check(lib.mon_ledger_decode(raw, len(raw), e), "decoding a ledger entry")
    return LedgerEntry(
        int(e.index),
        LedgerKind(int(e.kind)) if int(e.kind) in LedgerKind._value2member_map_ else e.kind,
        int(e.tick),
        bytes(ffi.buffer(e.payload, int(e.payload_len))),
        bytes(ffi.buffer(e.prev, 32)),
        bytes(ffi.buffer(e.hash, 32)),
    )


class Ledger:
    """A ledger in C memory, appended to ``path`` through the C core's write callback (each entry
    written whole and flushed; ``path=None`` keeps it in memory only). ``capacity`` entries are
    kept in the ring (readable with :meth:`entries`). A failed file write raises
    :class:`OSError` after the entry is in the chain and pending: :meth:`flush` writes it again."""

    __slots__ = ("_mem", "_obj", "_fh", "_cb", "_path", "_error", "_fsync", "_capacity")

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        *,
        policy_hash: Any,
        reference_digest: Any,
        model_version: str,
        tick: int = 0,
        capacity: int = 256,
        checkpoint_every: int = 64,
        fsync: bool = False,
    ) -> None:
        g = ffi.new("mon_ledger_genesis *")
        g.policy_hash = _bytes32(policy_hash, "policy_hash")
        g.reference_digest = _bytes32(reference_digest, "reference_digest")
        if not isinstance(model_version, str):
            raise InvalidTypeError(f"model_version must be a str, got {type(model_version).__name__}")
        if len(model_version) > MODEL_MAX or any(not 0x20 <= ord(c) <= 0x7E for c in model_version):
            raise InvalidArgumentError(
                f"model_version must be at most {MODEL_MAX} printable ASCII characters, got {model_version!r}"
            )
        mv = model_version.encode("ascii")
        g.model_len = len(mv)
        g.model[0 : len(mv)] = list(mv)
        for v, what, hi in (
            (capacity, "capacity", int(lib.MON_LEDGER_MAX_CAPACITY)),
            (checkpoint_every, "checkpoint_every", int(lib.MON_LEDGER_MAX_CHECKPOINT_EVERY)),
        ):
            if (
                isinstance(v, bool)
                or not isinstance(v, int)
                or not (1 if what == "capacity" else 0) <= v <= hi
            ):
                raise InvalidArgumentError(
                    f"{what} must be an integer in [{1 if what == 'capacity' else 0}, {hi}], got {v!r}"
                )
        g.checkpoint_every = checkpoint_every
        self._path = None if path is None else os.fspath(path)
        self._capacity = capacity
        self._fsync = bool(fsync)
        self._error: BaseException | None = None
        self._fh = None
        if self._path is not None:
            if os.path.exists(self._path) and os.path.getsize(self._path) > 0:
                raise InvalidArgumentError(
                    f"{self._path}: the file exists and is not empty (a ledger starts a new file)"
                )
            self._fh = open(self._path, "ab")
            self._cb = ffi.callback("mon_ledger_write_fn", self._write)
        else:
            self._cb = ffi.NULL
        size = int(lib.mon_ledger_size(capacity))
        self._mem = ffi.new("uint64_t[]", (size + 7) // 8)
        out = ffi.new("mon_ledger **")
        st = lib.mon_ledger_init(self._mem, size, capacity, g, _tick(tick), self._cb, ffi.NULL, out)
        if st not in (lib.MON_OK, lib.MON_E_TRUNCATED):
            check(st, "starting a ledger")
        self._obj = out[0]
        self._raise_write(st)

    def _write(self, ctx: Any, data: Any, n: int) -> int:
        try:
            assert self._fh is not None
            self._fh.write(bytes(ffi.buffer(data, n)))
            self._fh.flush()
            if self._fsync:
                os.fsync(self._fh.fileno())
            return 0
        except BaseException as exc:  # reported by the call that triggered the write
            self._error = exc
            return 1

    def _raise_write(self, st: int) -> None:
        if st == lib.MON_E_TRUNCATED:
            err, self._error = self._error, None
            if err is not None and not isinstance(err, Exception):
                raise err  # KeyboardInterrupt / SystemExit during a write: the entry is pending
            raise OSError(f"ledger {self._path}: writing an entry failed, it is pending ({err})") from err

    def append(self, kind: LedgerKind | int, tick: int, payload: bytes = b"") -> LedgerAnchor:
        """Record one event (``payload`` at most :data:`MAX_PAYLOAD` bytes); returns the new head."""
        if not isinstance(payload, (bytes, bytearray)):
            raise InvalidTypeError(f"payload must be bytes, got {type(payload).__name__}")
        if len(payload) > MAX_PAYLOAD:
            raise InvalidArgumentError(f"payload of {len(payload)} bytes: at most {MAX_PAYLOAD}")
        k = int(kind)
        if k in (LedgerKind.GENESIS, LedgerKind.CHECKPOINT) or k not in LedgerKind._value2member_map_:
            raise InvalidArgumentError(
                f"kind {kind!r}: one of {[x.name for x in LedgerKind][1:]} except CHECKPOINT"
            )
        st = lib.mon_ledger_append(self._obj, k, _tick(tick), bytes(payload), len(payload))
        if st == lib.MON_E_OVERFLOW:
            raise OSError(f"ledger {self._path}: {self.pending} entries pending, the event was not recorded")
        if st != lib.MON_E_TRUNCATED:
            check(st, "appending to the ledger")
        self._raise_write(st)
        return self.head()

    def flush(self) -> None:
        """Write the pending entries (after a failed write)."""
        st = lib.mon_ledger_flush(self._obj)
        if st != lib.MON_E_TRUNCATED:
            check(st, "flushing the ledger")
        self._raise_write(st)

    def c_handle(self) -> Any:
        """The C ``mon_ledger *`` of this ledger, for C objects that append to it themselves
        (``monitor.safety.SafetyMonitor`` attaches it to its ``mon_monitor``). The ledger must
        outlive them."""
        return self._obj

    def head(self) -> LedgerAnchor:
        a = ffi.new("mon_ledger_anchor *")
        check(lib.mon_ledger_head(self._obj, a, ffi.NULL), "reading the ledger head")
        return LedgerAnchor(int(a.count), bytes(ffi.buffer(a.head, 32)))

    @property
    def pending(self) -> int:
        """Entries in the chain not yet written."""
        a = ffi.new("mon_ledger_anchor *")
        w = ffi.new("uint64_t *")
        check(lib.mon_ledger_head(self._obj, a, w), "reading the ledger head")
        return int(a.count) - int(w[0])

    def entries(self) -> list[LedgerEntry]:
        """The entries still in the ring (the last ``capacity``), oldest first."""
        n = self.head().count
        out = []
        buf = ffi.new("uint8_t[]", ENTRY_BYTES)
        for i in range(max(0, n - self._capacity), n):
            if lib.mon_ledger_entry_bytes(self._obj, i, buf) == lib.MON_OK:
                out.append(_entry(bytes(buf)))
        return out

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tick(t: Any) -> int:
    if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < 2**64:
        raise InvalidArgumentError(f"tick must be an integer in [0, 2**64), got {t!r}")
    return t


def read_entries(data: bytes) -> Iterator[LedgerEntry]:
    """Decode every whole entry of ledger bytes (each checked on its own; use
    :func:`verify_ledger_bytes` to check the chain)."""
    for off in range(0, len(data) - ENTRY_BYTES + 1, ENTRY_BYTES):
        yield _entry(data[off : off + ENTRY_BYTES])


def verify_ledger_bytes(data: bytes, anchor: LedgerAnchor | None = None) -> LedgerReport:
    """Verify ledger bytes with the C verifier; returns the report (``report.ok``)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidTypeError(f"data must be bytes, got {type(data).__name__}")
    raw = bytes(data)
    rep = ffi.new("mon_ledger_report *")
    a = ffi.NULL
    if anchor is not None:
        a = ffi.new("mon_ledger_anchor *")
        a.count = anchor.count
        a.head = anchor.head
    st = lib.mon_ledger_verify(raw if raw else ffi.NULL, len(raw), a, rep)
    if st == lib.MON_E_NULL:  # pragma: no cover - arguments are never NULL here
        check(st, "verifying a ledger")
    g = rep.genesis
    fault = int(rep.fault)
    return LedgerReport(
        st == lib.MON_OK,
        _FAULT_NAMES[fault],
        _FAULTS[fault],
        int(rep.first_bad),
        int(rep.count),
        bytes(ffi.buffer(rep.head, 32)),
        bytes(ffi.buffer(g.policy_hash, 32)),
        bytes(ffi.buffer(g.reference_digest, 32)),
        bytes(ffi.buffer(g.model, int(g.model_len))).decode("ascii"),
        int(g.checkpoint_every),
    )


def verify_ledger(path: str | os.PathLike[str], anchor: LedgerAnchor | None = None) -> LedgerReport:
    """Verify a ledger file; raises :class:`LedgerVerificationError` (a
    :class:`CorruptDataError`) naming the first bad entry, else returns the report."""
    with open(path, "rb") as fh:
        data = fh.read()
    rep = verify_ledger_bytes(data, anchor)
    if not rep.ok:
        raise LedgerVerificationError(rep.message(os.fspath(path)), rep)
    return rep
