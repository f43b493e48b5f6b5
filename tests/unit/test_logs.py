"""Structured logs: the article's usage, one parseable line for any value, no injection,
deterministic bytes, keyed input hash, sampling, stdlib composition, never raising."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from monitor import InvalidArgumentError, JsonFormatter, StructuredAdapter, StructuredLogger
from monitor.logs import canonical_bytes, input_hash, render_json

T0 = 1769191200.25  # 2026-01-23T18:00:00.250000Z
KEY = b"test-key-0123456789"
GOLDEN_HASH = "4a74c0ea62013457f561fa2bff922fef"


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def handler() -> Any:
    h = ListHandler()
    lg = logging.getLogger("fraud-model-v3")
    lg.addHandler(h)
    lg.setLevel(logging.DEBUG)
    lg.propagate = False
    yield h
    lg.removeHandler(h)


def test_article_usage_as_written(handler: ListHandler) -> None:
    # Usage
    log = StructuredLogger("fraud-model-v3")

    log.log(
        "prediction_start",
        request_id="req-8847291",
        user_id="usr-12345",
        model_version="v3.2.1",
        input_features=["amount", "merchant_category", "time_since_last"],
    )

    log.log(
        "prediction_complete",
        request_id="req-8847291",
        latency_ms=47.3,
        prediction=0.73,
        confidence=0.89,
        cache_hit=False,
    )

    log.log(
        "prediction_error",
        level="error",
        request_id="req-8847292",
        error_type="TimeoutError",
        error_message="Model inference exceeded 100ms timeout",
        latency_ms=147.8,
    )
    assert len(handler.lines) == 3
    recs = [json.loads(line) for line in handler.lines]
    assert [r["event"] for r in recs] == ["prediction_start", "prediction_complete", "prediction_error"]
    assert recs[0]["input_features"] == ["amount", "merchant_category", "time_since_last"]
    assert recs[1]["confidence"] == 0.89 and recs[1]["cache_hit"] is False
    assert recs[2]["level"] == "error" and recs[2]["latency_ms"] == 147.8
    for r in recs:
        assert r["service"] == "fraud-model-v3"
        assert r["timestamp"].endswith("Z") and r["timestamp"][10] == "T"
    assert log.service == "fraud-model-v3" and log.logger.name == "fraud-model-v3"


@pytest.mark.req("MON-REQ-PY-005")
def test_deterministic_bytes_and_key_order() -> None:
    buf = io.StringIO()
    log = StructuredLogger("svc", stream=buf, clock=lambda: T0, hash_key=KEY)
    log.log(
        "prediction_complete",
        zeta=1,
        span_id="s1",
        alpha="a",
        confidence=0.9,
        request_id="r1",
        input={"amount": 12.5, "user": "u1"},
        latency_ms=3.25,
        model_version="v1",
        trace_id="t1",
        prediction=[0.1, 0.9],
    )
    expected = (
        '{"timestamp":"2026-01-23T18:00:00.250000Z","service":"svc",'
        '"event":"prediction_complete","level":"info","request_id":"r1",'
        '"model_version":"v1","latency_ms":3.25,'
        '"input_hash":"' + input_hash({"user": "u1", "amount": 12.5}, KEY) + '",'
        '"prediction":[0.1,0.9],"confidence":0.9,"trace_id":"t1","span_id":"s1",'
        '"alpha":"a","zeta":1}\n'
    )
    assert buf.getvalue() == expected
    # Golden hash: the canonical encoding and BLAKE2b key/person are part of the contract.
    enc = (
        b"d"
        + (2).to_bytes(8, "little")
        + b"s"
        + (4).to_bytes(8, "little")
        + b"user"
        + b"s"
        + (2).to_bytes(8, "little")
        + b"u1"
        + b"s"
        + (6).to_bytes(8, "little")
        + b"amount"
        + b"f"
        + struct.pack("<d", 12.5)
    )
    assert canonical_bytes({"amount": 12.5, "user": "u1"}) == enc
    ref = hashlib.blake2b(enc, key=KEY, digest_size=16, person=b"monitor-input").hexdigest()
    assert input_hash({"amount": 12.5, "user": "u1"}, KEY) == ref == GOLDEN_HASH
    # The same call again gives the same bytes.
    buf2 = io.StringIO()
    log2 = StructuredLogger("svc", stream=buf2, clock=lambda: T0, hash_key=KEY)
    log2.log(
        "prediction_complete",
        alpha="a",
        zeta=1,
        span_id="s1",
        confidence=0.9,
        request_id="r1",
        input={"user": "u1", "amount": 12.5},
        latency_ms=3.25,
        model_version="v1",
        trace_id="t1",
        prediction=[0.1, 0.9],
    )
    assert buf2.getvalue() == expected


def test_timestamps() -> None:
    log = StructuredLogger("s", clock=lambda: 0.0, hash_key=KEY)
    assert json.loads(log.render("e"))["timestamp"] == "1970-01-01T00:00:00.000000Z"
    log = StructuredLogger("s", clock=lambda: 951782400.9999996, hash_key=KEY)  # rounds up
    assert json.loads(log.render("e"))["timestamp"] == "2000-02-29T00:00:01.000000Z"


def test_no_injection_and_unsafe_values() -> None:
    buf = io.StringIO()
    log = StructuredLogger("svc", stream=buf, clock=lambda: T0, hash_key=KEY)
    evil = 'x"}\n{"level":"critical","event":"pwned"}\r\n\x1b[31m\u2028\u2029\x00\ud800'
    log.log(evil, request_id=evil, **{evil: evil})
    out = buf.getvalue()
    assert out.count("\n") == 1 and out.endswith("\n")
    assert out.isascii() and all(c >= " " for c in out[:-1])
    rec = json.loads(out)
    assert rec["event"] == evil and rec["request_id"] == evil and rec[evil] == evil
    assert rec["level"] == "info"

    buf.seek(0)
    buf.truncate()
    cyc: list[Any] = [1]
    cyc.append(cyc)
    log.log(
        "e",
        nan=math.nan,
        inf=-math.inf,
        big=10**5000,
        b=b"\x00\xff",
        s={3, 1},
        np_scalar=np.float32(1.5),
        arr=np.array([1.0, np.nan]),
        cyc=cyc,
        keys={1: "a", None: "b", (1, 2): "c", 2.5: "d"},
        obj=object(),
        exc=ValueError("v"),
    )
    rec = json.loads(buf.getvalue())
    assert rec["nan"] == "NaN" and rec["inf"] == "-Infinity"
    assert rec["big"].startswith("<int of")
    assert rec["b"] == "b'\\x00\\xff'" and rec["s"] == [1, 3]
    assert rec["np_scalar"] == 1.5 and rec["arr"] == [1.0, "NaN"]
    assert rec["cyc"] == [1, "<cycle>"]
    assert rec["keys"] == {"1": "a", "null": "b", "(1, 2)": "c", "2.5": "d"}
    assert rec["obj"].startswith("<object object") and rec["exc"] == "ValueError: v"


def test_reserved_keys_do_not_override() -> None:
    log = StructuredLogger("svc", clock=lambda: T0, hash_key=KEY)
    rec = json.loads(log.render("e", **{"timestamp": "fake", "service": "other"}))
    assert rec["service"] == "svc" and rec["service_"] == "other"
    assert rec["timestamp"].startswith("2026") and rec["timestamp_"] == "fake"


# -- any value gives exactly one parseable line ------------------------------------------

any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
texts = st.text(alphabet=any_char, max_size=40)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.binary(max_size=10),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(texts, st.integers(), st.booleans(), st.none()), inner, max_size=4),
        st.frozensets(st.integers(), max_size=4),
    ),
    max_leaves=20,
)


def _json_native(v: Any) -> bool:
    if v is None or isinstance(v, (bool, int, str)):
        return True
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, list):
        return all(_json_native(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _json_native(x) for k, x in v.items())
    return False


@given(texts, values, texts)
@pytest.mark.req("MON-REQ-PY-005")
def test_any_value_is_one_json_line(event: str, value: Any, key: str) -> None:
    buf = io.StringIO()
    log = StructuredLogger("svc", stream=buf, clock=lambda: T0, hash_key=KEY)
    assume(key not in ("event", "level"))  # Python itself refuses these as **kwargs
    ctx = {"value": value, "request_id": key, "input": value}
    ctx.setdefault(key, value)
    log.log(event, level="info", **ctx)
    out = buf.getvalue()
    assert out.count("\n") == 1 and out.endswith("\n"), out
    assert out.isascii()
    rec = json.loads(out)
    assert isinstance(rec, dict)
    assert rec["event"] == event and rec["request_id"] == key
    assert "input" not in rec and len(rec["input_hash"]) == 32
    if _json_native(value):
        assert rec["value"] == value
    assert log.failures == 0


@given(values)
def test_canonical_hash_is_stable(value: Any) -> None:
    h1 = input_hash(value, KEY)
    assert h1 == input_hash(value, KEY)
    assert len(h1) == 32 and h1 != input_hash(value, KEY + b"x")


def test_canonical_encoding() -> None:
    assert canonical_bytes({"a": 1, "b": 2}) == canonical_bytes({"b": 2, "a": 1})
    assert canonical_bytes([1, 2]) == canonical_bytes((1, 2))
    assert canonical_bytes(1) != canonical_bytes(1.0) != canonical_bytes("1")
    assert canonical_bytes(True) != canonical_bytes(1)
    assert canonical_bytes(["ab", "c"]) != canonical_bytes(["a", "bc"])  # length-prefixed
    a = np.arange(6, dtype=">f8").reshape(2, 3)
    assert canonical_bytes(a) == canonical_bytes(np.arange(6, dtype="<f8").reshape(2, 3))
    assert canonical_bytes(a) != canonical_bytes(a.reshape(3, 2))
    assert canonical_bytes(np.float64(2.5)) == canonical_bytes(2.5)
    assert canonical_bytes(float("nan")) == canonical_bytes(-float("nan"))
    deep: list[Any] = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValueError):
        canonical_bytes(deep)
    log = StructuredLogger("s", hash_key=KEY)
    assert log.input_hash(deep) is None
    raw = "4111 1111 1111 1111"
    assert raw not in log.render("e", input=raw)


def test_sampling_is_deterministic() -> None:
    buf = io.StringIO()
    log = StructuredLogger("svc", stream=buf, clock=lambda: T0, hash_key=KEY, success_sample_rate=0.25)
    for i in range(100):
        log.log("ok", request_id=str(i))
        if i % 10 == 0:
            log.log("bad", level="error", request_id=str(i))
        if i % 20 == 0:
            log.log("odd", level="info", error_type="LowConfidence")  # errors never sampled
    recs = [json.loads(x) for x in buf.getvalue().splitlines()]
    kept = [r["request_id"] for r in recs if r["event"] == "ok"]
    assert kept == [str(i) for i in range(3, 100, 4)]
    assert sum(r["event"] == "bad" for r in recs) == 10
    assert sum(r["event"] == "odd" for r in recs) == 5
    assert log.sampled_out == 75


@pytest.mark.req("MON-REQ-PY-005")
def test_failures_never_propagate() -> None:
    class Broken(io.StringIO):
        def write(self, s: str) -> int:
            raise OSError("disk full")

    log = StructuredLogger("svc", stream=Broken(), clock=lambda: T0, hash_key=KEY)
    log.log("e")
    log.log("e", level="error")
    assert log.failures == 2

    def bad_clock() -> float:
        raise RuntimeError("clock")

    out = io.StringIO()
    log = StructuredLogger("svc", stream=out, clock=bad_clock, hash_key=KEY)
    log.log("e", request_id="r")  # the line survives: system-clock time, the reason in clock_error
    rec = json.loads(out.getvalue())
    assert (rec["event"], rec["request_id"], rec["timestamp"][-1]) == ("e", "r", "Z")
    assert rec["clock_error"].startswith("<unrenderable clock reading: RuntimeError: clock>")
    assert (log.failures, log.clock_errors) == (0, 1)


def test_levels_and_stdlib_filtering(handler: ListHandler) -> None:
    lg = logging.getLogger("fraud-model-v3")
    log = StructuredLogger("fraud-model-v3", clock=lambda: T0, hash_key=KEY)
    lg.setLevel(logging.WARNING)
    log.log("quiet")
    log.log("loud", level="warning")
    log.log("odd", level="verbose")  # unknown level: INFO, name kept; filtered here
    assert [json.loads(x)["event"] for x in handler.lines] == ["loud"]
    assert not log.enabled("info") and log.enabled("error")
    lg.setLevel(logging.DEBUG)
    log.log("odd", level="verbose")
    assert json.loads(handler.lines[-1])["level"] == "verbose"


def test_formatter_and_adapter(handler: ListHandler) -> None:
    handler.setFormatter(JsonFormatter("fraud", clock=lambda: T0, hash_key=KEY))
    lg = logging.getLogger("fraud-model-v3")
    # the article's stdlib call inside predict_with_metrics
    lg.info("prediction_complete", extra={"latency_ms": 12.5, "model_version": "v3", "status": "success"})
    rec = json.loads(handler.lines[-1])
    assert list(rec)[:4] == ["timestamp", "service", "event", "level"]
    assert rec["service"] == "fraud" and rec["event"] == "prediction_complete"
    assert rec["latency_ms"] == 12.5 and rec["status"] == "success"
    assert rec["timestamp"] == "2026-01-23T18:00:00.250000Z"
    try:
        raise TimeoutError("slow\nmodel")
    except TimeoutError:
        lg.exception("prediction_error")
    rec = json.loads(handler.lines[-1])
    assert rec["error_type"] == "TimeoutError" and rec["error_message"] == "slow\nmodel"
    assert "Traceback" in rec["traceback"] and rec["level"] == "error"
    # a StructuredLogger line passes through unchanged (no double encoding)
    slog = StructuredLogger("fraud-model-v3", clock=lambda: T0, hash_key=KEY)
    slog.log("direct", request_id="r")
    assert handler.lines[-1] == slog.render("direct", request_id="r")
    # adapter: keyword fields, bound fields, clashes with LogRecord attributes renamed
    ad = StructuredAdapter(lg, {"model_version": "v3"})
    ad.warning("prediction_slow", latency_ms=900.0, request_id="r9", name="clash", input={"card": "4111"})
    rec = json.loads(handler.lines[-1])
    assert rec["model_version"] == "v3" and rec["latency_ms"] == 900.0
    assert rec["name_"] == "clash" and rec["level"] == "warning"
    assert "input" not in rec and len(rec["input_hash"]) == 32
    assert "4111" not in handler.lines[-1]
    # a record that cannot be formatted still gives a line (handed to our handler directly:
    # other handlers, such as pytest's own capture in recent versions, may raise on it)
    fmt = handler.formatter
    assert isinstance(fmt, JsonFormatter) and fmt.render_errors == 0, handler.lines
    handler.handle(
        lg.makeRecord(lg.name, logging.INFO, __file__, 1, "%d", ("not-a-number",), None, extra={"x": 1})
    )
    rec = json.loads(handler.lines[-1])  # only the message is replaced; timestamp and fields stay
    assert rec["event"].startswith("<unrenderable message '%d': TypeError")
    assert rec["timestamp"] == "2026-01-23T18:00:00.250000Z" and rec["x"] == 1
    assert fmt.render_errors == 1


def test_bind() -> None:
    buf = io.StringIO()
    log = StructuredLogger("svc", stream=buf, clock=lambda: T0, hash_key=KEY, fields={"model_version": "v1"})
    log.bind(request_id="r1").log("e", latency_ms=1.0)
    rec = json.loads(buf.getvalue())
    assert rec["model_version"] == "v1" and rec["request_id"] == "r1"


def test_construction_errors() -> None:
    with pytest.raises(InvalidArgumentError, match="service_name"):
        StructuredLogger("")
    with pytest.raises(InvalidArgumentError, match="success_sample_rate"):
        StructuredLogger("s", success_sample_rate=1.5)
    with pytest.raises(InvalidArgumentError, match="hash_key"):
        StructuredLogger("s", hash_key=b"")
    with pytest.raises(InvalidArgumentError, match="hash_key"):
        StructuredLogger("s", hash_key="text")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="stream"):
        StructuredLogger("s", stream=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="clock"):
        StructuredLogger("s", clock=5)  # type: ignore[arg-type]


field_names = st.one_of(
    st.sampled_from(
        [
            "timestamp",
            "service",
            "event",
            "level",
            "input",
            "input_data",
            "input_hash",
            "request_id",
            "latency_ms",
            "prediction",
            "trace_id",
            "service_",
            "level_",
        ]
    ),
    texts,
)


@given(st.dictionaries(field_names, values, max_size=8))
def test_fast_path_matches_general_renderer(context: dict) -> None:
    from monitor.logs.render import build_record

    log = StructuredLogger("svc", clock=lambda: T0, hash_key=KEY)
    fast = log._render("e", "info", dict(context))
    slow = render_json(
        build_record("2026-01-23T18:00:00.250000Z", "svc", "e", "info", dict(context), log.input_hash)
    )
    assert fast == slow


ARTICLE_PREDICT_WITH_METRICS = """
# Production-ready latency tracking
import time
from dataclasses import dataclass
from typing import Optional
import logging

logger = logging.getLogger(__name__)

@dataclass
class PredictionMetrics:
    latency_ms: float
    model_version: str
    input_size: int
    cache_hit: bool
    error: Optional[str] = None

def predict_with_metrics(model, input_data) -> tuple:
    start = time.monotonic()
    error = None
    result = None

    try:
        result = model.predict(input_data)
    except Exception as e:
        error = type(e).__name__
        raise
    finally:
        latency_ms = (time.monotonic() - start) * 1000
        metrics = PredictionMetrics(
            latency_ms=latency_ms,
            model_version=model.version,
            input_size=len(input_data),
            cache_hit=False,
            error=error
        )
        # Emit to your metrics system
        emit_metrics(metrics)

        # Log for debugging (structured, not printf)
        logger.info("prediction_complete",
            extra={
                "latency_ms": latency_ms,
                "model_version": model.version,
                "status": "error" if error else "success"
            }
        )

    return result, metrics
"""


def test_article_stdlib_logging_becomes_json_lines() -> None:
    """The article's predict_with_metrics, verbatim: our JsonFormatter on its logger turns its
    ``logger.info(..., extra=...)`` call into one structured line."""
    import sys
    import types

    emitted: list[Any] = []
    mod = types.ModuleType("article_snippet")
    mod.emit_metrics = emitted.append  # type: ignore[attr-defined]
    sys.modules["article_snippet"] = mod  # dataclasses look the module up
    try:
        exec(compile(ARTICLE_PREDICT_WITH_METRICS, "article", "exec"), mod.__dict__)
    finally:
        del sys.modules["article_snippet"]
    ns = mod.__dict__
    h = ListHandler()
    h.setFormatter(JsonFormatter("fraud-model-v3", clock=lambda: T0, hash_key=KEY))
    lg = logging.getLogger("article_snippet")
    lg.addHandler(h)
    lg.setLevel(logging.INFO)
    lg.propagate = False
    try:

        class Model:
            version = "v3.2.1"

            def predict(self, x: Any) -> float:
                return 0.73

        result, metrics = ns["predict_with_metrics"](Model(), [1, 2, 3])
    finally:
        lg.removeHandler(h)
    assert result == 0.73 and emitted == [metrics]
    rec = json.loads(h.lines[0])
    assert rec["event"] == "prediction_complete" and rec["service"] == "fraud-model-v3"
    assert rec["model_version"] == "v3.2.1" and rec["status"] == "success"
    assert rec["latency_ms"] == metrics.latency_ms


def test_emit_writes_the_log_line_and_counts_its_failures() -> None:
    out = io.StringIO()
    log = StructuredLogger("svc", stream=out, clock=lambda: T0, hash_key=KEY)
    log.log("e", level="error", request_id="r", input={"a": 1})
    log.emit("e", "error", {"request_id": "r", "input": {"a": 1}})
    a, b = out.getvalue().splitlines()
    assert a == b
    assert log.failures == 0

    class Broken:
        def write(self, s: str) -> None:
            raise OSError("disk full")

    bad = StructuredLogger("svc", stream=Broken(), clock=lambda: T0)
    bad.emit("e", "info", {"x": 1})  # never raises
    assert bad.failures == 1
