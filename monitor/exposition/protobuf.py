"""Prometheus protobuf exposition: length-delimited ``io.prometheus.client.MetricFamily``
messages with native histograms (part of :mod:`monitor.exposition`).

A small encoder of the messages of Prometheus' ``metrics.proto`` (field numbers below), not the
``protobuf`` package: no Python package ships those messages (they would have to be generated
from the .proto at build or run time), the subset needed is eight messages of scalars, and the
encoder is measured faster than the ``protobuf`` runtime building the same messages
(``benchmarks/bench_exposition.py``); the tests decode every byte with the ``protobuf`` runtime
from a descriptor built from the same field numbers, and Prometheus itself ingests it.

Histograms follow client_golang's encoding: both the classic buckets (the same ``le`` as the text
formats, with exemplars) and the native histogram (schema, zero threshold and count, spans and
delta-encoded counts, see :mod:`monitor.exposition.buckets`); a histogram without any populated
native bucket carries the placeholder span ``(offset 0, length 0)``, so Prometheus still sees a
native histogram.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from .buckets import classic_buckets, native_seconds
from .exemplars import EXEMPLAR_LABEL, exemplars_by_bucket
from .model import HistogramValue, MetricFamily

CONTENT_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"

_TYPES = {"counter": 0, "gauge": 1, "summary": 2, "untyped": 3, "histogram": 4}
_pack_d = struct.Struct("<d").pack


def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63) if n < 0 else n << 1


def _key(field: int, wire: int) -> bytes:
    return _varint((field << 3) | wire)


def _len_field(field: int, payload: bytes) -> bytes:
    return _key(field, 2) + _varint(len(payload)) + payload


def _str_field(field: int, s: str) -> bytes:
    return _len_field(field, s.encode("utf-8"))


def _double_field(field: int, v: float) -> bytes:
    return _key(field, 1) + _pack_d(v)


def _uint_field(field: int, v: int) -> bytes:
    return _key(field, 0) + _varint(v)


def _label_pair(name: str, value: str) -> bytes:
    return _str_field(1, name) + _str_field(2, value)


def _exemplar(trace_id: str, value_ns: int) -> bytes:
    # Exemplar { repeated LabelPair label = 1; double value = 2; Timestamp timestamp = 3; }
    return _len_field(1, _label_pair(EXEMPLAR_LABEL, trace_id)) + _double_field(2, value_ns / 1e9)


def _histogram(hv: HistogramValue, export_scale: object) -> bytes:
    # Histogram { uint64 sample_count = 1; double sample_sum = 2; repeated Bucket bucket = 3;
    #   sint32 schema = 5; double zero_threshold = 6; uint64 zero_count = 7;
    #   repeated BucketSpan positive_span = 12; repeated sint64 positive_delta = 13; }
    # Bucket { uint64 cumulative_count = 1; double upper_bound = 2; Exemplar exemplar = 3; }
    # BucketSpan { sint32 offset = 1; uint32 length = 2; }
    hist = hv.hist
    les, uppers, cum = classic_buckets(hist, export_scale)
    nat = native_seconds(hist)
    ex = exemplars_by_bucket(hv.exemplars, uppers) if hv.exemplars else {}
    parts = [_uint_field(1, hist.count), _double_field(2, nat.sum)]
    for k, (up, c) in enumerate(zip(uppers, cum)):
        b = _uint_field(1, c) + _double_field(2, up / 1e9)
        e = ex.get(k)
        if e is not None:
            b += _len_field(3, _exemplar(e.trace_id, e.value_ns))
        parts.append(_len_field(3, b))
    parts.append(_key(5, 0) + _varint(_zigzag(nat.schema)))
    parts.append(_double_field(6, nat.zero_threshold))
    parts.append(_uint_field(7, nat.zero_count))
    spans = nat.spans or ((0, 0),)  # client_golang's placeholder span of an empty histogram
    for off, length in spans:
        parts.append(_len_field(12, _key(1, 0) + _varint(_zigzag(off)) + _uint_field(2, length)))
    if nat.deltas:
        packed = b"".join(_varint(_zigzag(d)) for d in nat.deltas)
        parts.append(_len_field(13, packed))
    return b"".join(parts)


def encode_family(fam: MetricFamily, export_scale: object = "auto") -> bytes:
    """One ``MetricFamily`` message (without its length prefix)."""
    # MetricFamily { string name = 1; string help = 2; MetricType type = 3; repeated Metric metric = 4; string unit = 5; }
    # Metric { repeated LabelPair label = 1; Gauge gauge = 2; Counter counter = 3; Histogram histogram = 7; }
    out = [_str_field(1, fam.sample_name), _str_field(2, fam.help), _uint_field(3, _TYPES[fam.type])]
    for s in fam.samples:
        m = b"".join(_len_field(1, _label_pair(k, v)) for k, v in s.labels)
        v = s.value
        if isinstance(v, HistogramValue):
            m += _len_field(7, _histogram(v, export_scale))
        elif fam.type == "counter":
            m += _len_field(3, _double_field(1, float(v)))
        else:
            m += _len_field(2, _double_field(1, float(v)))
        out.append(_len_field(4, m))
    return b"".join(out)


def render_protobuf(families: Iterable[MetricFamily], export_scale: object = "auto") -> bytes:
    """Every family as length-delimited ``MetricFamily`` messages."""
    out = []
    for fam in families:
        msg = encode_family(fam, export_scale)
        out.append(_varint(len(msg)))
        out.append(msg)
    return b"".join(out)
