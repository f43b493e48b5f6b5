"""Many processes, one truth: the cumulative state of a service in one file-backed shared-memory
segment that every worker of a pre-fork server (gunicorn, uvicorn workers, multiprocessing)
records into through the C core's atomics, so a scrape answered by any worker sees the exact
totals of all of them.

    seg = SharedSegment.open("/dev/shm/monitor/fraud.seg", service="fraud", model_version="v3")
    ServiceMonitor("fraud", "v3", shared=seg)      # or shared="/dev/shm/monitor" (a directory),
                                                   # or MONITOR_SHARED_DIR=/dev/shm/monitor

What lives in the segment (fixed size, stated up front by :func:`shared_segment_size`):

- the request counters since the segment was created (``mon_service``: received, processed,
  dropped, failed, in flight, errors per category), with one window slot that never rotates;
- one cumulative latency histogram per name in ``histograms`` (``mon_hist``; the service
  records ``"request"``, the latency at the request boundary).

What stays per process: the time windows (rates, window percentiles, the snapshot's window
counts: C rings whose claims wait for pins, which a killed process could leave behind - the
segment holds no claim that ever waits), the drift windows, alert state, logs and
``internal_errors``. Prometheus derives rates from the shared ``_total`` counters.

Robustness. Every update is one lock-free atomic read-modify-write on the mapping, so a
worker that dies (SIGKILL included) or restarts loses nothing already recorded; a value being
recorded at the instant of the kill may be partly counted (e.g. in a histogram's sum but not
yet its count). The one window slot is claimed when the segment is created (by one reject,
subtracted from what :meth:`SharedSegment.totals` reports), so no recorder ever waits. The
file never grows and needs no cleanup; a request that was in flight in a killed worker stays
counted in ``in_flight`` (it was received and never finished).

Creation is race-free: the creator initialises a temporary file in the same directory and
publishes it with ``os.link`` (atomic, never overwrites); a process that loses the race
attaches to the winner's file (a temporary file left by a creator killed mid-creation is
removed by the next creation in that directory after 10 minutes). Attaching validates the header (magic, format version, layout
hash over every configuration, size and offset, state flag, CRC-32C) and every C object's
magic and configuration: a corrupted or truncated file is a :class:`CorruptDataError`, a file
of another configuration or format a :class:`ConfigMismatchError`; neither is ever
reinitialised (delete the file to start over). Counter values themselves are data: a stray
write into them cannot be detected, as with any shared-memory counter. Works whether the
segment is opened before the fork (``--preload``: the mapping is inherited) or after (each
worker attaches). The directory should be a tmpfs (``/dev/shm``) and must support hard links.
"""

from __future__ import annotations

import functools
import hashlib
import json
import mmap
import os
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from ._ffi import lib
from .counters import CounterTotals, ServiceCounters
from .errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError
from .latency import LatencyHistogram, WindowedLatencyHistogram, crc32c, histogram_layout
from .latency.layout import DEFAULT_HIGHEST_NS, DEFAULT_LOWEST_NS, DEFAULT_RELATIVE_ERROR

__all__ = [
    "SharedSegment",
    "shared_segment_size",
    "segment_path",
    "resolve_segment",
    "ENV_VAR",
    "FORMAT_VERSION",
    "HEADER_BYTES",
    "OUTCOME_OK",
    "OUTCOME_FAILED",
    "OUTCOME_DROPPED",
    "finisher",
]

ENV_VAR = "MONITOR_SHARED_DIR"
"""The environment variable naming the directory of the segments (one file per service and
model version) that :class:`~monitor.ServiceMonitor` uses when it is set."""
FORMAT_VERSION = 1
HEADER_BYTES = 4096
"""The header page: magic, version, state, size, layout hash, layout description, CRC-32C."""
MAGIC = b"MONSHM\x00\x01"
_READY = 1
OUTCOME_OK: int = int(lib.MON_OUTCOME_OK)
OUTCOME_FAILED: int = int(lib.MON_OUTCOME_FAILED)
OUTCOME_DROPPED: int = int(lib.MON_OUTCOME_DROPPED)
_HEAD = struct.Struct("<8sIIQ32sI")  # magic, version, state, size, layout sha256, desc length
_CRC_AT = HEADER_BYTES - 4
# The counters' one slot: slot_ticks 2**64 - 1 from tick 0 and every event at tick 0, so the
# slot is epoch 0 for ever: claimed once, at creation, and never again.
_SLOT_TICKS = 2**64 - 1
_BASE = {"received": 1, "dropped": 1}  # the creation's claiming reject(0)


def _latency_params(latency_config: Mapping[str, Any] | None) -> tuple[int, int, int]:
    cfg = dict(latency_config or {})
    lowest = cfg.pop("lowest_ns", DEFAULT_LOWEST_NS)
    highest = cfg.pop("highest_ns", DEFAULT_HIGHEST_NS)
    scale = cfg.pop("scale", None)
    rel = cfg.pop("relative_error", DEFAULT_RELATIVE_ERROR)
    cfg.pop("strict", None)  # a recording option, not part of the state
    if cfg:
        raise InvalidArgumentError(f"latency_config: unknown keys {sorted(cfg)}")
    proto = LatencyHistogram(lowest, highest, rel, scale=scale)  # validates everything
    return proto.lowest_ns, proto.highest_ns, proto.scale


def _layout(
    service: str, model_version: str, latency_config: Mapping[str, Any] | None, histograms: Sequence[str]
) -> dict[str, Any]:
    if not isinstance(service, str) or not service:
        raise InvalidArgumentError(f"service must be a non-empty str, got {service!r}")
    if not isinstance(model_version, str):
        raise InvalidArgumentError(f"model_version must be a str, got {model_version!r}")
    names = tuple(histograms)
    if not names or any(not isinstance(n, str) or not n for n in names) or len(set(names)) != len(names):
        raise InvalidArgumentError(f"histograms must be distinct non-empty names, got {histograms!r}")
    lowest, highest, scale = _latency_params(latency_config)
    off = HEADER_BYTES
    cnb = ServiceCounters.nbytes_for(1)
    counters = {"offset": off, "nbytes": cnb, "slots": 1, "slot_ticks": _SLOT_TICKS}
    off += cnb
    hnb = histogram_layout(lowest, highest, scale).nbytes
    hists = []
    for n in names:
        hists.append({"name": n, "offset": off, "nbytes": hnb})
        off += hnb
    return {
        "format": FORMAT_VERSION,
        "byteorder": sys.byteorder,
        "service": service,
        "model_version": model_version,
        "latency": {"lowest_ns": lowest, "highest_ns": highest, "scale": scale},
        "counters": counters,
        "histograms": hists,
        "size": off,
    }


def _canonical(layout: Mapping[str, Any]) -> bytes:
    return json.dumps(layout, sort_keys=True, separators=(",", ":")).encode()


def shared_segment_size(
    *, latency_config: Mapping[str, Any] | None = None, histograms: Sequence[str] = ("request",)
) -> int:
    """Bytes of the segment file for a configuration, fixed for its lifetime: the 4 KiB header,
    the counters (``mon_service`` with one slot) and one latency histogram per name
    (``128 + 8 * buckets`` bytes each: 16,392 for the default 1 us .. 1 h at 1%)."""
    return int(_layout("s", "", latency_config, histograms)["size"])


def segment_path(directory: str | os.PathLike[str], service: str, model_version: str) -> str:
    """The segment file of a service and model version in ``directory``: the names are
    percent-encoded, so any name gives one safe file name (``<service>@<version>.seg``)."""
    if not isinstance(service, str) or not service or not isinstance(model_version, str):
        raise InvalidArgumentError("service must be a non-empty str and model_version a str")
    name = f"{quote(service, safe='')}@{quote(model_version, safe='')}.seg"
    return os.path.join(os.fspath(directory), name)


def _header(layout: Mapping[str, Any]) -> bytes:
    desc = _canonical(layout)
    if _HEAD.size + len(desc) > _CRC_AT:
        raise InvalidArgumentError(
            "the segment's layout description does not fit its header (too many names)"
        )
    digest = hashlib.sha256(desc).digest()
    head = _HEAD.pack(MAGIC, FORMAT_VERSION, _READY, int(layout["size"]), digest, len(desc)) + desc
    head += bytes(_CRC_AT - len(head))
    return head + struct.pack("<I", crc32c(head))


def _diff(have: Mapping[str, Any], want: Mapping[str, Any]) -> str:
    keys = sorted(set(have) | set(want))
    parts = [
        f"{k}: file has {have.get(k)!r}, expected {want.get(k)!r}" for k in keys if have.get(k) != want.get(k)
    ]
    return "; ".join(parts)


def _check_header(head: bytes, file_size: int, want: Mapping[str, Any], path: str) -> None:
    where = f"shared segment {path}"
    if len(head) < HEADER_BYTES:
        raise CorruptDataError(
            f"{where}: truncated ({file_size} bytes; a segment starts with a {HEADER_BYTES}-byte header)"
        )
    magic, version, state, size, digest, n = _HEAD.unpack_from(head)
    if magic != MAGIC:
        raise CorruptDataError(f"{where}: not a monitor shared segment (bad magic {magic!r})")
    if version != FORMAT_VERSION:
        raise ConfigMismatchError(
            f"{where}: format version {version}, this monitor reads version {FORMAT_VERSION} "
            "(delete the file to start a new segment)"
        )
    (crc,) = struct.unpack_from("<I", head, _CRC_AT)
    if crc != crc32c(head[:_CRC_AT]):
        raise CorruptDataError(f"{where}: header checksum mismatch (the header was overwritten)")
    if state != _READY:
        raise CorruptDataError(f"{where}: header state {state}, not initialised")
    if n > _CRC_AT - _HEAD.size:
        raise CorruptDataError(f"{where}: bad layout description length {n}")
    desc = head[_HEAD.size : _HEAD.size + n]
    if hashlib.sha256(desc).digest() != digest:
        raise CorruptDataError(f"{where}: layout hash mismatch")
    try:
        have = json.loads(desc)
    except ValueError:
        raise CorruptDataError(f"{where}: unreadable layout description") from None
    if _canonical(have) != _canonical(want):
        raise ConfigMismatchError(
            f"{where} is configured differently ({_diff(have, want)}); delete the file or use the "
            "same configuration in every process"
        )
    if file_size != size:
        raise CorruptDataError(f"{where}: the file is {file_size} bytes, its header says {size} (truncated?)")


class SharedSegment:
    """One service's cumulative counters and latency histograms in a shared, file-backed
    ``mmap`` (see the module documentation). Use :meth:`open`; :meth:`totals` and
    :meth:`latency` read the state every attached process records into."""

    __slots__ = ("path", "layout", "created", "counters", "begin", "finish", "_map", "_hists", "_names")
    path: str
    layout: Mapping[str, Any]
    created: bool
    counters: ServiceCounters
    begin: Callable[[int], None]
    finish: Callable[[int, int, int], int]
    _map: mmap.mmap
    _hists: dict[str, LatencyHistogram]
    _names: tuple[str, ...]

    def __init__(self) -> None:  # use SharedSegment.open
        raise TypeError("use SharedSegment.open(path, service=..., model_version=...)")

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        service: str,
        model_version: str = "",
        latency_config: Mapping[str, Any] | None = None,
        histograms: Sequence[str] = ("request",),
    ) -> SharedSegment:
        """Attach to the segment file at ``path``, creating it (race-free) when it does not
        exist. CorruptDataError / ConfigMismatchError for a file that is not a valid segment
        of this configuration (see the module documentation); OSError when the file cannot be
        opened or created."""
        path = os.fspath(path)
        want = _layout(service, model_version, latency_config, histograms)
        created = False
        if not os.path.exists(path):
            created = _create(path, want)
        fd = os.open(path, os.O_RDWR)
        try:
            size = os.fstat(fd).st_size
            head = os.pread(fd, HEADER_BYTES, 0)
            _check_header(head, size, want, path)
            mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self = object.__new__(cls)
        self.path = path
        self.layout = MappingProxyType(want)
        self.created = created
        self._map = mm
        self._attach(mm, want, attach=True)
        return self

    def _attach(self, mm: mmap.mmap, layout: Mapping[str, Any], *, attach: bool) -> None:
        view = memoryview(mm)
        c = layout["counters"]
        where = f"shared segment {self.path}"
        try:
            self.counters = ServiceCounters(
                _SLOT_TICKS, 0, 1, buffer=view[c["offset"] : c["offset"] + c["nbytes"]], attach=attach
            )
            lat = layout["latency"]
            self._hists = {
                h["name"]: LatencyHistogram.in_buffer(
                    view[h["offset"] : h["offset"] + h["nbytes"]],
                    lat["lowest_ns"],
                    lat["highest_ns"],
                    scale=lat["scale"],
                    attach=attach,
                )
                for h in layout["histograms"]
            }
        except (CorruptDataError, ConfigMismatchError) as exc:
            raise CorruptDataError(f"{where}: {exc}") from None
        self._names = tuple(self._hists)
        # The service's request path, C functions bound to the segment (no Python frame):
        # begin(0) announces a request; finish(outcome, category_code, latency_ns) records its
        # latency in the first histogram and its outcome (OUTCOME_*) in one call
        # (mon_shared_finish; the C status; OverflowError for a latency outside [0, 2**64):
        # use finish_slow).
        self.begin = self.counters.begin
        self.finish = functools.partial(
            lib.mon_shared_finish,
            self.counters.c_object(),
            self._hists[self._names[0]].c_object(),
            0,
        )

    # -- reading -----------------------------------------------------------------------------
    @property
    def nbytes(self) -> int:
        """Size of the segment (the file), fixed at creation."""
        return int(self.layout["size"])

    @property
    def histogram_names(self) -> tuple[str, ...]:
        return self._names

    def totals(self) -> CounterTotals:
        """Exact totals of every process that recorded into the segment since its creation."""
        t = self.counters.totals()
        return CounterTotals(
            t.received - _BASE["received"],
            t.processed,
            t.dropped - _BASE["dropped"],
            t.failed,
            t.in_flight,
            t.errors,
        )

    def latency(self, name: str = "request") -> LatencyHistogram:
        """A frozen copy of a cumulative latency histogram of the segment (every process)."""
        return self.histogram(name).copy()

    def histogram(self, name: str = "request") -> LatencyHistogram:
        """The live histogram ``name`` in the segment (record into it; read it with ``copy``).
        InvalidArgumentError for a name the segment does not hold."""
        try:
            return self._hists[name]
        except (KeyError, TypeError):
            raise InvalidArgumentError(
                f"the segment holds the histograms {self._names}, not {name!r}"
            ) from None

    def check_compatible(
        self, service: str, model_version: str, latency_config: Mapping[str, Any] | None = None
    ) -> None:
        """ConfigMismatchError unless a service of this name, model version and latency
        configuration may record into this segment."""
        want = _layout(service, model_version, latency_config, self._names)
        have = dict(self.layout)
        if _canonical(want) != _canonical(have):
            raise ConfigMismatchError(
                f"shared segment {self.path} is configured differently ({_diff(have, want)})"
            )

    # -- the service's request path ----------------------------------------------------------
    def chain(
        self, ok: Callable[[int], int], drop: Callable[[int], int], fail: Callable[[int, int], int]
    ) -> tuple[Callable[[int], int], Callable[[int], int], Callable[[int, int], int]]:
        """A process's ``ok`` / ``drop`` / ``fail`` (its own counters at tick ``now``), each
        also finishing the request in the segment: both are always called (each counter keeps
        its own requests in flight), and the status is the first non-zero one."""
        c = self.counters
        sok, sdrop, sfail = c.ok_raw, c.drop_raw, c.fail_status

        def ok2(now: int) -> int:
            st = ok(now)
            st2 = sok(0)
            return st or st2

        def drop2(now: int) -> int:
            st = drop(now)
            st2 = sdrop(0)
            return st or st2

        def fail2(now: int, code: int) -> int:
            st = fail(now, code)
            st2 = sfail(0, code)
            return st or st2

        return ok2, drop2, fail2

    def begin_with(self, local: ServiceCounters) -> Callable[[int], None]:
        """``begin(now)`` announcing a request in a process's own ``local`` counters at tick
        ``now`` and in the segment, in one C call (``mon_shared_begin``)."""
        return functools.partial(lib.mon_shared_begin, local.c_object(), self.counters.c_object())

    def finish_slow(self, outcome: int, category_code: int, latency_ns: int) -> int:
        """:attr:`finish` for a latency outside [0, 2**64) ns (a clock jump): the outcome is
        counted and the latency counted as invalid."""
        self.histogram(self._names[0]).record_ns(latency_ns)
        c = self.counters
        if outcome == OUTCOME_OK:
            return c.ok_raw(0)
        if outcome == OUTCOME_DROPPED:
            return c.drop_raw(0)
        return c.fail(0, category_code)

    def __repr__(self) -> str:
        return f"SharedSegment({self.path!r}, nbytes={self.nbytes}, histograms={self._names})"


def finisher(
    counters: ServiceCounters, hist: LatencyHistogram, window: WindowedLatencyHistogram | None = None
) -> Callable[[int, int, int, int], int]:
    """``finish(now, outcome, category_code, latency_ns)`` of a process's own ``counters`` and
    cumulative ``hist`` in one C call (``mon_shared_finish``: the latency recorded in ``hist``,
    the outcome counted at tick ``now``; the C status); with ``window``, the latency is also
    recorded in that windowed histogram at tick ``now``, in the same call
    (``mon_shared_finish_ring``). For callers whose ticks and latencies are ints in [0, 2**64)
    by construction (ServiceMonitor's request end); the objects must outlive the callable."""
    if window is None:
        return functools.partial(lib.mon_shared_finish, counters.c_object(), hist.c_object())
    return functools.partial(
        lib.mon_shared_finish_ring, counters.c_object(), window.c_object(), hist.c_object()
    )


_TMP_PREFIX = ".tmp-"
_STALE_S = 600.0  # a creation takes milliseconds: an older temporary file's creator died


def _remove_stale_temporaries(directory: str) -> None:
    """Remove the temporary files of creators killed mid-creation (older than 10 minutes)."""
    now = time.time()
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(_TMP_PREFIX) and name.endswith(".seg"):
            p = os.path.join(directory, name)
            try:
                if now - os.stat(p).st_mtime > _STALE_S:
                    os.unlink(p)
            except OSError:  # gone already, or not ours to remove
                pass


def _create(path: str, layout: Mapping[str, Any]) -> bool:
    """Initialise a new segment in a temporary file beside ``path`` and publish it with
    ``os.link`` (atomic; never replaces a file). False when another process was first."""
    directory = os.path.dirname(path) or "."
    _remove_stale_temporaries(directory)
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".seg", dir=directory)
    try:
        size = int(layout["size"])
        os.ftruncate(fd, size)
        mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        seg = object.__new__(SharedSegment)
        seg.path = tmp
        seg._attach(mm, layout, attach=False)
        seg.counters.reject_raw(0)  # claims the one window slot now, while nobody else can see it
        del seg
        mm[:HEADER_BYTES] = _header(layout)  # the header last: a published file is complete
        mm.flush()
        os.fsync(fd)
        try:
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
    finally:
        os.close(fd)
        os.unlink(tmp)


def resolve_segment(
    shared: Any, service: str, model_version: str, latency_config: Mapping[str, Any]
) -> SharedSegment | None:
    """The segment a ServiceMonitor's ``shared=`` argument names: None (off) for False, or for
    None without $MONITOR_SHARED_DIR; the given segment (checked compatible); or the segment of
    (service, model_version) in the named directory (True: $MONITOR_SHARED_DIR, which must be
    set), opened or created."""
    if shared is False:
        return None
    if isinstance(shared, SharedSegment):
        shared.check_compatible(service, model_version, latency_config)
        return shared
    if shared is None or shared is True:
        directory = os.environ.get(ENV_VAR) or None
        if directory is None:
            if shared is True:
                raise InvalidArgumentError(f"shared=True needs ${ENV_VAR} to name a directory")
            return None
    elif isinstance(shared, (str, os.PathLike)):
        directory = os.fspath(shared)
    else:
        raise InvalidArgumentError(
            f"shared must be a SharedSegment, a directory, True, False or None, got {shared!r}"
        )
    os.makedirs(directory, exist_ok=True)
    return SharedSegment.open(
        segment_path(directory, service, model_version),
        service=service,
        model_version=model_version,
        latency_config=latency_config,
    )
