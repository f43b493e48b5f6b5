"""Bad-input catalogue of the logs API (issue 10, items 13 and 14).

Constructors and helpers refuse bad arguments with a ``monitor.errors`` class (also the matching
builtin) naming what was wrong. Logging calls never raise and never lose a line: every emitted
line is one JSON object with its timestamp and other fields; only a field that cannot be rendered
is replaced by a placeholder (``<unrenderable ...>``), and the failure is counted
(``render_errors``, ``clock_errors``). Classes as in ``test_catalogue_alerts.py``; here also
``field`` (a value that cannot be rendered) and ``clock`` (a clock that fails).
"""

from __future__ import annotations

import io
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from monitor.errors import InvalidArgumentError, InvalidTypeError, MonitorError
from monitor.logs import JsonFormatter, StructuredLogger, canonical_bytes, input_hash, render_json

KEY = b"k" * 16


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr failed")

    __str__ = __repr__


class BadItems(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise RuntimeError("items failed")


class BadIter(Mapping[str, object]):
    def __getitem__(self, k: str) -> object:
        raise RuntimeError("getitem failed")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("iter failed")

    def __len__(self) -> int:
        return 1


class BadStrError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("str failed")


class BadList(list):  # type: ignore[type-arg]
    def __iter__(self) -> Iterator[Any]:
        raise RuntimeError("iter failed")


class BadIso:
    def isoformat(self) -> str:
        raise RuntimeError("isoformat failed")


def _cyclic() -> list[Any]:
    x: list[Any] = [1]
    x.append(x)
    return x


CASES: list[tuple[str, str, Callable[[], object], type[Exception], str]] = [
    ("type", "logger-service-int", lambda: StructuredLogger(5), InvalidTypeError, "service_name"),  # type: ignore[arg-type]
    ("range", "logger-service-empty", lambda: StructuredLogger(""), InvalidArgumentError, "non-empty"),
    (
        "type",
        "logger-clock-int",
        lambda: StructuredLogger("s", clock=5),
        InvalidTypeError,
        "clock must be callable",
    ),  # type: ignore[arg-type]
    ("type", "logger-stream-int", lambda: StructuredLogger("s", stream=5), InvalidTypeError, "write"),  # type: ignore[arg-type]
    (
        "type",
        "logger-logger-str",
        lambda: StructuredLogger("s", logger="x"),
        InvalidTypeError,
        "logging.Logger",
    ),  # type: ignore[arg-type]
    (
        "type",
        "logger-hash-key-str",
        lambda: StructuredLogger("s", hash_key="k"),
        InvalidTypeError,
        "hash_key",
    ),  # type: ignore[arg-type]
    (
        "range",
        "logger-hash-key-long",
        lambda: StructuredLogger("s", hash_key=b"k" * 65),
        InvalidArgumentError,
        "65 bytes",
    ),
    (
        "range",
        "logger-hash-key-empty",
        lambda: StructuredLogger("s", hash_key=b""),
        InvalidArgumentError,
        "0 bytes",
    ),
    (
        "type",
        "logger-fields-list",
        lambda: StructuredLogger("s", fields=[1]),
        InvalidTypeError,
        "fields must be a mapping",
    ),  # type: ignore[arg-type]
    (
        "type",
        "logger-fields-int-key",
        lambda: StructuredLogger("s", fields={1: 2}),
        InvalidTypeError,
        "field names",
    ),  # type: ignore[dict-item]
    (
        "hostile",
        "logger-fields-items-raise",
        lambda: StructuredLogger("s", fields=BadItems(a=1)),
        InvalidArgumentError,
        "fields could not be read",
    ),
    (
        "type",
        "logger-rate-str",
        lambda: StructuredLogger("s", success_sample_rate="1"),
        InvalidTypeError,
        "success_sample_rate",
    ),  # type: ignore[arg-type]
    (
        "bool",
        "logger-rate-bool",
        lambda: StructuredLogger("s", success_sample_rate=True),
        InvalidTypeError,
        "success_sample_rate",
    ),
    (
        "nonfinite",
        "logger-rate-nan",
        lambda: StructuredLogger("s", success_sample_rate=math.nan),
        InvalidArgumentError,
        r"in \[0, 1\]",
    ),
    (
        "range",
        "logger-rate-2",
        lambda: StructuredLogger("s", success_sample_rate=2.0),
        InvalidArgumentError,
        r"in \[0, 1\]",
    ),
    ("type", "formatter-service-int", lambda: JsonFormatter(5), InvalidTypeError, "service"),  # type: ignore[arg-type]
    (
        "type",
        "formatter-clock-int",
        lambda: JsonFormatter(clock=5),
        InvalidTypeError,
        "clock must be callable",
    ),  # type: ignore[arg-type]
    ("type", "formatter-fields-list", lambda: JsonFormatter(fields=[1]), InvalidTypeError, "fields"),  # type: ignore[arg-type]
    ("type", "formatter-hash-key-int", lambda: JsonFormatter(hash_key=5), InvalidTypeError, "hash_key"),  # type: ignore[arg-type]
    ("type", "input-hash-key-none", lambda: input_hash(1, None), InvalidTypeError, "key"),  # type: ignore[arg-type]
    (
        "type",
        "input-hash-digest-str",
        lambda: input_hash(1, KEY, digest_size="16"),
        InvalidTypeError,
        "digest_size",
    ),  # type: ignore[arg-type]
    (
        "range",
        "input-hash-digest-0",
        lambda: input_hash(1, KEY, digest_size=0),
        InvalidArgumentError,
        "digest_size",
    ),
    (
        "huge",
        "input-hash-digest-huge",
        lambda: input_hash(1, KEY, digest_size=10**400),
        InvalidArgumentError,
        "digest_size",
    ),
    (
        "nesting",
        "canonical-cycle",
        lambda: canonical_bytes(_cyclic()),
        InvalidArgumentError,
        "nested more than 32",
    ),
    (
        "nesting",
        "canonical-deep",
        lambda: canonical_bytes(json.loads("[" * 100 + "]" * 100)),
        InvalidArgumentError,
        "nested",
    ),
    (
        "hostile",
        "canonical-bad-repr",
        lambda: canonical_bytes(BadRepr()),
        InvalidArgumentError,
        "cannot be encoded",
    ),
    (
        "hostile",
        "canonical-items-raise",
        lambda: canonical_bytes(BadItems(a=1)),
        InvalidArgumentError,
        "cannot be encoded",
    ),
    ("type", "render-json-list", lambda: render_json([1]), InvalidTypeError, "mapping"),  # type: ignore[arg-type]
]

# Values that cannot be rendered as they are: the field becomes a placeholder, the line survives.
FIELDS: list[tuple[str, object, str]] = [
    ("items-raise", BadItems(a=1), "<unrenderable BadItems: RuntimeError: items failed>"),
    ("mapping-iter-raise", BadIter(), "<unrenderable BadIter: RuntimeError"),
    ("repr-raise", BadRepr(), "<unrenderable BadRepr: RuntimeError: repr failed>"),
    ("exception-str-raise", BadStrError(), "<unrenderable BadStrError: RuntimeError: str failed>"),
    ("list-iter-raise", BadList([1]), "<unrenderable BadList: RuntimeError: iter failed>"),
    ("isoformat-raise", BadIso(), "<unrenderable BadIso: RuntimeError: isoformat failed>"),
    ("nested-repr-raise", {"a": [1, BadRepr()]}, "<unrenderable BadRepr"),
]

# Values that render (no placeholder, no count) however odd they are.
ODD: list[tuple[str, object]] = [
    ("nan", math.nan),
    ("inf", -math.inf),
    ("huge-int", 10**5000),
    ("decimal", Decimal("1e400")),
    ("np-float32", np.float32(1.5)),
    ("np-array-nan", np.array([1.0, math.nan])),
    ("bytes", b"\x00\n"),
    ("set", {3, 1}),
    ("cycle", _cyclic()),
    ("deep", json.loads("[" * 60 + "]" * 60)),
    ("newline-str", "a\nb\u2028"),
    ("int-keys", {1: 2, None: 3, 1.5: 4}),
]

CLOCKS: list[tuple[str, Callable[[], object]]] = [
    ("nan", lambda: math.nan),
    ("inf", lambda: math.inf),
    ("-inf", lambda: -math.inf),
    ("huge", lambda: 1e300),
    ("10**400", lambda: 10**400),
    ("str", lambda: "now"),
    ("none", lambda: None),
    ("raises", lambda: 1 / 0),
]


@pytest.mark.parametrize(
    "cls,call,exc,match", [pytest.param(c, f, e, m, id=f"{c}-{i}") for c, i, f, e, m in CASES]
)
def test_bad_arguments_raise_a_clear_monitor_error(
    cls: str, call: Callable[[], object], exc: type[Exception], match: str
) -> None:
    with pytest.raises(exc, match=match) as err:
        call()
    assert isinstance(err.value, MonitorError) and isinstance(err.value, ValueError)


def _logger(**kw: Any) -> tuple[StructuredLogger, io.StringIO]:
    out = io.StringIO()
    return StructuredLogger("svc", stream=out, clock=lambda: 1769191200.25, hash_key=KEY, **kw), out


def _one(out: io.StringIO) -> dict[str, Any]:
    (line,) = out.getvalue().splitlines()
    rec = json.loads(line)
    assert isinstance(rec, dict)
    return rec


@pytest.mark.parametrize("value,marker", [pytest.param(v, m, id=i) for i, v, m in FIELDS])
def test_a_field_that_cannot_be_rendered_is_replaced_and_counted(value: object, marker: str) -> None:
    log, out = _logger()
    log.log("e", request_id="r1", latency_ms=12.5, bad=value, other=7)
    rec = _one(out)
    assert rec["timestamp"] == "2026-01-23T18:00:00.250000Z"
    assert (rec["event"], rec["request_id"], rec["latency_ms"], rec["other"]) == ("e", "r1", 12.5, 7)
    assert marker in json.dumps(rec["bad"])
    assert log.render_errors >= 1 and log.failures == 0
    # the same through the standard library formatter
    fmt = JsonFormatter("svc", clock=lambda: 1769191200.25)
    rec2 = json.loads(
        fmt.format(
            logging.LogRecord("svc", logging.INFO, "f", 1, "e", None, None) | _extra(bad=value, other=7)
        )
    )
    assert rec2["timestamp"] == rec["timestamp"] and rec2["other"] == 7 and marker in json.dumps(rec2["bad"])
    assert fmt.render_errors >= 1


def _extra(**fields: Any) -> Any:
    class Extra:
        def __ror__(self, record: logging.LogRecord) -> logging.LogRecord:
            record.__dict__.update(fields)
            return record

    return Extra()


@pytest.mark.parametrize("value", [pytest.param(v, id=i) for i, v in ODD])
def test_odd_values_render_without_placeholder(value: object) -> None:
    log, out = _logger()
    log.log("e", v=value)
    rec = _one(out)
    assert "unrenderable" not in json.dumps(rec) and log.render_errors == 0 and rec["event"] == "e"


@pytest.mark.parametrize("clock", [pytest.param(c, id=i) for i, c in CLOCKS])
def test_a_failing_clock_keeps_the_line(clock: Callable[[], object]) -> None:
    out = io.StringIO()
    log = StructuredLogger("svc", stream=out, clock=clock, hash_key=KEY)  # type: ignore[arg-type]
    log.log("e", request_id="r1", level="error")
    rec = _one(out)
    assert rec["timestamp"].endswith("Z") and rec["timestamp"][:2] == "20"  # the system clock's time
    assert rec["request_id"] == "r1" and "timestamp from the system clock" in rec["clock_error"]
    assert (log.clock_errors, log.failures) == (1, 0)
    fmt = JsonFormatter("svc", clock=clock)  # type: ignore[arg-type]
    rec2 = json.loads(fmt.format(logging.LogRecord("svc", logging.INFO, "f", 1, "e", None, None)))
    assert rec2["event"] == "e" and "clock_error" in rec2 and fmt.clock_errors == 1


@pytest.mark.parametrize(
    "msg,args",
    [("a %s %s", (1,)), ("a %d", ("x",)), ("a %(k)s", (1,)), ("a", (1, 2)), (BadRepr(), ())],
    ids=["too-few", "wrong-type", "mapping-key", "too-many", "bad-str-msg"],
)
def test_formatter_with_mismatched_arguments_keeps_the_line(msg: object, args: tuple[object, ...]) -> None:
    fmt = JsonFormatter("svc", clock=lambda: 1769191200.25)
    rec = logging.LogRecord("svc", logging.WARNING, "f", 1, msg, args, None) | _extra(x=1)
    out = json.loads(fmt.format(rec))
    assert out["timestamp"] == "2026-01-23T18:00:00.250000Z" and out["x"] == 1 and out["level"] == "warning"
    assert out["event"].startswith("<unrenderable message") and fmt.render_errors == 1


@pytest.mark.parametrize(
    "raw", [BadRepr(), _cyclic(), BadItems(a=1)], ids=["bad-repr", "cycle", "items-raise"]
)
def test_an_input_that_cannot_be_hashed_is_replaced_and_counted(raw: object) -> None:
    log, out = _logger()
    log.log("e", input=raw, request_id="r")
    rec = _one(out)
    assert (
        rec["input_hash"].startswith("<unhashable input: InvalidArgumentError") and rec["request_id"] == "r"
    )
    assert log.render_errors == 1
    fmt = JsonFormatter("svc", clock=lambda: 1.0)
    rec2 = json.loads(
        fmt.format(logging.LogRecord("svc", logging.INFO, "f", 1, "e", None, None) | _extra(input=raw))
    )
    assert rec2["input_hash"].startswith("<unhashable input") and fmt.render_errors == 1


def test_head_fields_of_other_types_are_rendered_or_replaced() -> None:
    log, out = _logger()
    log.log(BadRepr(), x=1)  # type: ignore[arg-type]
    log.log(5, level=BadRepr(), x=1)  # type: ignore[arg-type]
    recs = [json.loads(x) for x in out.getvalue().splitlines()]
    assert recs[0]["event"].startswith("<unrenderable event") and recs[1]["event"] == "5"
    assert recs[1]["level"].startswith("<unrenderable level") and all(r["x"] == 1 for r in recs)
    assert log.render_errors == 2


def test_emit_failures_are_counted_and_bound_loggers_share_the_counters() -> None:
    class Broken(io.StringIO):
        def write(self, s: str) -> int:
            raise OSError("disk full")

    log = StructuredLogger("svc", stream=Broken(), clock=lambda: 1.0)
    child = log.bind(request_id="r")
    log.log("e")
    child.log("e", bad=BadRepr())
    assert log.failures == child.failures == 2 and log.render_errors == 1


def test_catalogue_counts_per_class() -> None:
    counts = Counter(c for c, *_ in CASES)
    counts["field"] = len(FIELDS) + len(ODD) + 1
    counts["clock"] = len(CLOCKS)
    counts["mismatched"] = 5
    assert min(counts.values()) >= 1 and len(counts) == 10, counts
