"""Bad-input catalogue of the service / latency entry points: entry point x class of bad input.
Each case asserts the exception class (a monitor.errors class, also the matching builtin) and
that the message names what was wrong. Values that are accepted are checked to mean the same as
the Python number."""

from __future__ import annotations

import datetime
import math
import struct
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from monitor import LatencyHistogram, ServiceMonitor, WindowedLatencyHistogram
from monitor.counters import ServiceCounters
from monitor.errors import CorruptDataError, InvalidArgumentError, InvalidTypeError
from monitor.latency import crc32c
from monitor.quantiles import percentile

H = LatencyHistogram
W = WindowedLatencyHistogram


def _svc(**kw: Any) -> ServiceMonitor:
    return ServiceMonitor("s", "v", logger=False, **kw)


# (class of bad input, entry point, call, exception, words the message must contain)
CASES: list[tuple[str, str, Callable[[], Any], type[Exception], str]] = [
    # types
    ("types", "record_ms", lambda: H().record_ms(None), InvalidTypeError, "NoneType"),
    ("types", "record_ns", lambda: H().record_ns("5"), InvalidTypeError, "str"),
    ("types", "record_us", lambda: H().record_us(True), InvalidTypeError, "bool"),
    ("types", "record_s", lambda: H().record_s(1 + 2j), InvalidTypeError, "complex"),
    ("types", "record_ms(np.complex64)", lambda: H().record_ms(np.complex64(1)), InvalidTypeError, "complex"),
    ("types", "record_ns(np.bool_)", lambda: H().record_ns(np.bool_(True)), InvalidTypeError, "bool"),
    ("types", "record", lambda: H().record(1.0, unit=["ms"]), InvalidArgumentError, "unit"),
    ("types", "record_many(None)", lambda: H().record_many(None), InvalidTypeError, "NoneType"),
    ("types", "record_many(str)", lambda: H().record_many("123"), InvalidTypeError, "str"),
    ("types", "record_many(objects)", lambda: H().record_many([1, None]), InvalidTypeError, "NoneType"),
    ("types", "window.record_ms", lambda: W().record_ms(object()), InvalidTypeError, "object"),
    ("types", "window.record_ns_at", lambda: W().record_ns_at(1.5, 3), InvalidTypeError, "now_ns"),
    ("types", "LatencyHistogram(lowest_ns)", lambda: H(lowest_ns=1.5), InvalidTypeError, "lowest_ns"),
    (
        "types",
        "LatencyHistogram(relative_error)",
        lambda: H(relative_error="1%"),
        InvalidTypeError,
        "relative_error",
    ),
    ("types", "quantile", lambda: H().quantile([0.5]), InvalidTypeError, "quantile"),
    ("types", "percentiles", lambda: H().percentiles(5), InvalidTypeError, "percentiles"),
    ("types", "from_bytes", lambda: H.from_bytes("MONH"), InvalidTypeError, "bytes"),
    ("types", "merge", lambda: H().merge(3), InvalidTypeError, "LatencyHistogram"),
    ("types", "ServiceMonitor(service)", lambda: ServiceMonitor(3, "v"), InvalidTypeError, "service"),
    ("types", "ServiceMonitor(clock)", lambda: _svc(clock=5), InvalidTypeError, "clock"),
    ("types", "ServiceMonitor(slots)", lambda: _svc(slots=6.0), InvalidTypeError, "slots"),
    ("types", "ServiceMonitor(window_s)", lambda: _svc(window_s="60"), InvalidTypeError, "window_s"),
    (
        "types",
        "ServiceMonitor(latency_config)",
        lambda: _svc(latency_config=5),
        InvalidTypeError,
        "latency_config",
    ),
    (
        "types",
        "ServiceMonitor(capacity_rps)",
        lambda: _svc(capacity_rps="5"),
        InvalidTypeError,
        "capacity_rps",
    ),
    ("types", "ServiceCounters(slots)", lambda: ServiceCounters(10, 0, "4"), InvalidTypeError, "slots"),
    (
        "types",
        "ServiceCounters.begin",
        lambda: ServiceCounters(10, 0, 4).begin(None),
        InvalidTypeError,
        "now",
    ),
    ("types", "percentile(q)", lambda: percentile([1.0, 2.0], "fifty"), InvalidArgumentError, "q"),
    (
        "types",
        "percentile(nan_policy)",
        lambda: percentile([1.0], 50, nan_policy=1),
        InvalidArgumentError,
        "nan_policy",
    ),
    # shapes
    ("shapes", "record_ms(array)", lambda: H().record_ms(np.ones(3)), InvalidTypeError, "record_many"),
    ("shapes", "record_many(ragged)", lambda: H().record_many([[1, 2], [3]]), InvalidArgumentError, "array"),
    ("shapes", "percentile(2-D)", lambda: percentile(np.ones((2, 2)), 50), InvalidArgumentError, "1-D"),
    (
        "shapes",
        "percentile(ragged)",
        lambda: percentile([[1.0], [2.0, 3.0]], 50),
        InvalidArgumentError,
        "values",
    ),
    # dtypes
    ("dtypes", "record_many(bool)", lambda: H().record_many(np.array([True])), InvalidTypeError, "bool"),
    (
        "dtypes",
        "record_many(complex)",
        lambda: H().record_many(np.ones(2, complex)),
        InvalidTypeError,
        "complex",
    ),
    (
        "dtypes",
        "record_many(datetime64)",
        lambda: H().record_many(np.array(["2020-01-01"], "M8[s]")),
        InvalidTypeError,
        "datetime64",
    ),
    ("dtypes", "record_many(U)", lambda: H().record_many(np.array(["1"])), InvalidTypeError, "str"),
    (
        "dtypes",
        "record_many(td64[M])",
        lambda: H().record_many(np.array([1], "m8[M]")),
        InvalidArgumentError,
        "fixed length",
    ),
    (
        "dtypes",
        "record_ms(td64[Y])",
        lambda: H().record_ms(np.timedelta64(1, "Y")),
        InvalidArgumentError,
        "fixed length",
    ),
    (
        "dtypes",
        "percentile(complex)",
        lambda: percentile(np.ones(2, complex), 50),
        InvalidArgumentError,
        "dtype",
    ),
    # masks
    (
        "masks",
        "record_ms(masked)",
        lambda: H().record_ms(np.ma.masked_array(1.0, mask=True)),
        InvalidArgumentError,
        "masked",
    ),
    ("masks", "record_ns(np.ma.masked)", lambda: H().record_ns(np.ma.masked), InvalidArgumentError, "masked"),
    # non-finite
    (
        "non-finite",
        "strict record_ns(nan32)",
        lambda: H(strict=True).record_ns(np.float32("nan")),
        InvalidArgumentError,
        "strict",
    ),
    (
        "non-finite",
        "strict record_ms(Decimal nan)",
        lambda: H(strict=True).record_ms(Decimal("NaN")),
        InvalidArgumentError,
        "strict",
    ),
    (
        "non-finite",
        "strict record_many(inf)",
        lambda: H(strict=True).record_many([1.0, math.inf]),
        InvalidArgumentError,
        "strict",
    ),
    (
        "non-finite",
        "strict record_many(NaT)",
        lambda: H(strict=True).record_many(np.array(["NaT"], "m8[ns]")),
        InvalidArgumentError,
        "strict",
    ),
    (
        "non-finite",
        "ServiceMonitor(clock nan)",
        lambda: _svc(clock=lambda: math.nan),
        InvalidArgumentError,
        "clock",
    ),
    (
        "non-finite",
        "ServiceMonitor(clock inf)",
        lambda: _svc(clock=lambda: math.inf),
        InvalidArgumentError,
        "clock",
    ),
    (
        "non-finite",
        "ServiceMonitor(window_s nan)",
        lambda: _svc(window_s=math.nan),
        InvalidArgumentError,
        "window_s",
    ),
    ("non-finite", "window(last_s=nan)", lambda: W().window(math.nan), InvalidArgumentError, "last_s"),
    ("non-finite", "quantile(nan)", lambda: H().quantile(math.nan), InvalidArgumentError, "quantile"),
    (
        "non-finite",
        "percentile(q nan)",
        lambda: percentile([1.0], math.nan),
        InvalidArgumentError,
        "percentiles",
    ),
    (
        "non-finite",
        "percentile(values nan)",
        lambda: percentile([1.0, math.nan], 50),
        InvalidArgumentError,
        "NaN",
    ),
    # negative (strict)
    (
        "negative",
        "strict record_ns(f32 -0.7)",
        lambda: H(strict=True).record_ns(np.float32(-0.7)),
        InvalidArgumentError,
        "strict",
    ),
    (
        "negative",
        "strict record_ms(Fraction)",
        lambda: H(strict=True).record_ms(Fraction(-1, 3)),
        InvalidArgumentError,
        "strict",
    ),
    (
        "negative",
        "strict record_ms(-timedelta)",
        lambda: H(strict=True).record_ms(datetime.timedelta(-1)),
        InvalidArgumentError,
        "strict",
    ),
    # huge
    (
        "huge",
        "ServiceMonitor(capacity 10**400)",
        lambda: _svc(capacity_rps=10**400),
        InvalidArgumentError,
        "capacity_rps",
    ),
    (
        "huge",
        "ServiceMonitor(window_s 10**400)",
        lambda: _svc(window_s=10**400),
        InvalidArgumentError,
        "window_s",
    ),
    ("huge", "ServiceMonitor(slots)", lambda: _svc(slots=10**7), InvalidArgumentError, "slots"),
    (
        "huge",
        "strict record_ns(2**64)",
        lambda: H(strict=True).record_ns(2**64),
        InvalidArgumentError,
        "strict",
    ),
    (
        "huge",
        "strict record_us(int 2**60)",
        lambda: H(strict=True).record_us(2**60),
        InvalidArgumentError,
        "strict",
    ),
    (
        "huge",
        "window ring memory",
        lambda: W(slots=1024, lowest_ns=1, highest_ns=2**64 - 1, scale=8),
        InvalidArgumentError,
        "bytes",
    ),
    ("huge", "record_ns_at(now 2**64)", lambda: W().record_ns_at(2**64, 1), InvalidArgumentError, "now_ns"),
    (
        "huge",
        "ServiceCounters(start)",
        lambda: ServiceCounters(10, 2**64, 4),
        InvalidArgumentError,
        "start_tick",
    ),
    ("huge", "quantile(2)", lambda: H().quantile(2), InvalidArgumentError, "quantile"),
    # empty
    ("empty", "percentile([])", lambda: percentile([], 50), InvalidArgumentError, "empty"),
    ("empty", "percentile(q [])", lambda: percentile([1.0], []), InvalidArgumentError, "q"),
    ("empty", "quantile(empty)", lambda: H().quantile(0.5), InvalidArgumentError, "empty"),
    ("empty", "ServiceMonitor(service '')", lambda: ServiceMonitor("", "v"), InvalidArgumentError, "service"),
    # mismatched
    ("mismatched", "merge", lambda: H().merge(H(scale=3)), InvalidArgumentError, "configurations"),
    (
        "mismatched",
        "categoriser + threshold",
        lambda: _svc(categoriser=__import__("monitor").Categoriser(), confidence_threshold=0.5),
        InvalidArgumentError,
        "either",
    ),
    (
        "mismatched",
        "latency_config unknown key",
        lambda: _svc(latency_config={"bogus": 1}),
        InvalidArgumentError,
        "latency_config",
    ),
]


@pytest.mark.parametrize(
    ("cls", "entry", "call", "exc", "words"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES]
)
def test_bad_input(cls: str, entry: str, call: Callable[[], Any], exc: type[Exception], words: str) -> None:
    with pytest.raises(exc) as info:
        call()
    assert isinstance(info.value, InvalidArgumentError) or isinstance(info.value, CorruptDataError)
    if issubclass(exc, InvalidTypeError):
        assert isinstance(info.value, TypeError)
    assert words.lower() in str(info.value).lower(), str(info.value)


def _tampered(offset: int, value: int) -> bytes:
    h = H()
    for v in (1_500, 7_000, 3_000):
        h.record_ns(v)
    b = bytearray(h.to_bytes())
    struct.pack_into("<Q", b, offset, value)
    struct.pack_into("<I", b, len(b) - 4, crc32c(bytes(b[:-4])))  # a valid CRC again
    return bytes(b)


@pytest.mark.parametrize(
    ("offset", "value"),
    [(72, int(6.0e23) % 2**64), (80, 1), (72, 1), (56, 1_600), (64, 6_500), (48, 0)],
    ids=["mean-6e23", "sum-hi", "sum-too-small", "min-off-bucket", "max-off-bucket", "control"],
)
def test_tampered_histogram_bytes(offset: int, value: int) -> None:
    data = _tampered(offset, value)
    if offset == 48:  # invalid counter: any value is possible
        assert H.from_bytes(data).count == 3
        return
    with pytest.raises(CorruptDataError) as info:
        H.from_bytes(data)
    assert "decoding latency histogram" in str(info.value)


ONE_POINT_FIVE = [
    1.5,
    np.float64(1.5),
    np.float32(1.5),
    np.float16(1.5),
    np.longdouble(1.5),
    Decimal("1.5"),
    Fraction(3, 2),
    np.array(1.5),
]


@pytest.mark.parametrize("v", ONE_POINT_FIVE, ids=[type(v).__name__ for v in ONE_POINT_FIVE])
@pytest.mark.parametrize("unit", ["ns", "us", "ms", "s"])
def test_numbers_mean_the_python_number(v: Any, unit: str) -> None:
    a, b = H(), H()
    getattr(a, "record_" + unit)(1.5)
    getattr(b, "record_" + unit)(v)
    assert a == b
    w = W()
    getattr(w, "record_" + unit)(v)
    assert w.window().sum == a.sum


def test_timedelta_carries_its_unit() -> None:
    for rec in ("record_ns", "record_us", "record_ms", "record_s"):
        h = H()
        getattr(h, rec)(np.timedelta64(5, "ns"))
        getattr(h, rec)(datetime.timedelta(microseconds=3))
        assert h.sum == 5 + 3_000
    h = H()
    assert h.record_many(np.array([5, 7, "NaT"], "m8[us]")) == 1
    assert h.sum == 12_000 and h.invalid == 1


def test_arrays_byte_order_alignment_and_masks() -> None:
    data = np.arange(1, 11, dtype=np.float64)
    mis = np.frombuffer(b"\0" + data.tobytes(), np.float64, offset=1)
    assert not mis.flags.aligned
    ref = H()
    ref.record_many(data, "us")
    for arr in (mis, data.astype(">f8"), data[::-1][::-1].copy(), np.asfortranarray(data.reshape(2, 5))):
        h = H()
        h.record_many(arr, "us")
        assert h == ref
    assert percentile(mis, [50])[0] == np.percentile(data, 50)
    assert percentile(data.astype(">f8"), [50])[0] == np.percentile(data, 50)
    h = H()
    assert h.record_many(np.ma.masked_array([1.0, math.nan, 3.0], mask=[0, 1, 0]), "us") == 0
    assert h.count == 2 and h.invalid == 0
    assert percentile(np.ma.masked_array([1.0, 2.0, 100.0], mask=[0, 0, 1]), [100])[0] == 2.0


def test_nan_counted_invalid_not_raised() -> None:
    h = H()
    h.record_ns(np.float32("nan"))
    h.record_ms(Decimal("NaN"))
    h.record_s(np.timedelta64("NaT", "ns"))
    assert h.invalid == 3 and h.count == 0


def test_case_counts_per_class() -> None:
    per: dict[str, int] = {}
    for c in CASES:
        per[c[0]] = per.get(c[0], 0) + 1
    assert set(per) == {
        "types",
        "shapes",
        "dtypes",
        "masks",
        "non-finite",
        "negative",
        "huge",
        "empty",
        "mismatched",
    }


@pytest.mark.parametrize(
    "prediction",
    [
        Decimal("NaN"),
        Decimal("-Infinity"),
        complex(math.nan, 0),
        complex(1, math.inf),
        np.complex64(complex(math.nan, 1)),
    ],
    ids=["Decimal-nan", "Decimal-inf", "complex-nan", "complex-inf", "np.complex64-nan"],
)
def test_non_finite_predictions_of_any_number_type_fail(prediction: Any) -> None:
    svc = _svc()
    with svc.observe() as obs:
        obs.record(prediction=prediction)
    t = svc.totals()
    assert t["failed"] == 1 and t["model_inference"] == 1 and t["processed"] == 0
