"""The protobuf runtime's view of Prometheus' metrics.proto (io.prometheus.client), built from
the field numbers of the .proto at run time: the independent decoder the exposition tests check
our hand encoder against. Needs the ``protobuf`` package (pulled in by the OTLP exporter)."""

from __future__ import annotations

from typing import Any


def message_classes() -> dict[str, Any]:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    F = descriptor_pb2.FieldDescriptorProto
    fd = descriptor_pb2.FileDescriptorProto(name="prom_metrics_test.proto", package="io.prometheus.client")
    fd.syntax = "proto2"

    def msg(name: str, *fields: tuple[str, int, int, int, str]) -> None:
        m = fd.message_type.add(name=name)
        for fname, num, typ, label, tname in fields:
            f = m.field.add(name=fname, number=num, type=typ, label=label)
            if tname:
                f.type_name = ".io.prometheus.client." + tname

    OPT, R = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    msg("LabelPair", ("name", 1, F.TYPE_STRING, OPT, ""), ("value", 2, F.TYPE_STRING, OPT, ""))
    msg("Gauge", ("value", 1, F.TYPE_DOUBLE, OPT, ""))
    msg("Exemplar", ("label", 1, F.TYPE_MESSAGE, R, "LabelPair"), ("value", 2, F.TYPE_DOUBLE, OPT, ""))
    msg("Counter", ("value", 1, F.TYPE_DOUBLE, OPT, ""), ("exemplar", 2, F.TYPE_MESSAGE, OPT, "Exemplar"))
    msg(
        "Bucket",
        ("cumulative_count", 1, F.TYPE_UINT64, OPT, ""),
        ("upper_bound", 2, F.TYPE_DOUBLE, OPT, ""),
        ("exemplar", 3, F.TYPE_MESSAGE, OPT, "Exemplar"),
    )
    msg("BucketSpan", ("offset", 1, F.TYPE_SINT32, OPT, ""), ("length", 2, F.TYPE_UINT32, OPT, ""))
    msg(
        "Histogram",
        ("sample_count", 1, F.TYPE_UINT64, OPT, ""),
        ("sample_sum", 2, F.TYPE_DOUBLE, OPT, ""),
        ("bucket", 3, F.TYPE_MESSAGE, R, "Bucket"),
        ("schema", 5, F.TYPE_SINT32, OPT, ""),
        ("zero_threshold", 6, F.TYPE_DOUBLE, OPT, ""),
        ("zero_count", 7, F.TYPE_UINT64, OPT, ""),
        ("positive_span", 12, F.TYPE_MESSAGE, R, "BucketSpan"),
        ("positive_delta", 13, F.TYPE_SINT64, R, ""),
    )
    msg(
        "Metric",
        ("label", 1, F.TYPE_MESSAGE, R, "LabelPair"),
        ("gauge", 2, F.TYPE_MESSAGE, OPT, "Gauge"),
        ("counter", 3, F.TYPE_MESSAGE, OPT, "Counter"),
        ("histogram", 7, F.TYPE_MESSAGE, OPT, "Histogram"),
    )
    msg(
        "MetricFamily",
        ("name", 1, F.TYPE_STRING, OPT, ""),
        ("help", 2, F.TYPE_STRING, OPT, ""),
        ("type", 3, F.TYPE_INT32, OPT, ""),
        ("metric", 4, F.TYPE_MESSAGE, R, "Metric"),
        ("unit", 5, F.TYPE_STRING, OPT, ""),
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    names = (
        "MetricFamily",
        "Metric",
        "Histogram",
        "Bucket",
        "BucketSpan",
        "LabelPair",
        "Counter",
        "Gauge",
        "Exemplar",
    )
    return {
        n: message_factory.GetMessageClass(pool.FindMessageTypeByName("io.prometheus.client." + n))
        for n in names
    }


def decode_delimited(data: bytes) -> list[Any]:
    from google.protobuf.internal.decoder import _DecodeVarint  # type: ignore[attr-defined]

    cls = message_classes()["MetricFamily"]
    out, pos = [], 0
    while pos < len(data):
        n, pos = _DecodeVarint(data, pos)
        m = cls()
        m.ParseFromString(data[pos : pos + n])
        out.append(m)
        pos += n
    return out


def encode_with_runtime(families: Any) -> bytes:
    """``families`` (monitor.exposition MetricFamily objects) as length-delimited messages built
    and serialised by the protobuf runtime: the oracle of our hand encoder's bytes."""
    from google.protobuf.internal.encoder import _VarintBytes  # type: ignore[attr-defined]

    from monitor.exposition import buckets
    from monitor.exposition.exemplars import EXEMPLAR_LABEL, exemplars_by_bucket
    from monitor.exposition.model import HistogramValue

    cls = _CLASSES or _CLASSES.update(message_classes()) or _CLASSES
    out = []
    for fam in families:
        mf = cls["MetricFamily"](
            name=fam.sample_name, help=fam.help, type={"counter": 0, "gauge": 1, "histogram": 4}[fam.type]
        )
        for s in fam.samples:
            m = mf.metric.add()
            for k, v in s.labels:
                m.label.add(name=k, value=v)
            if isinstance(s.value, HistogramValue):
                h = s.value.hist
                _, uppers, cum = buckets.classic_buckets(h)
                nat = buckets.native_seconds(h)
                ex = exemplars_by_bucket(s.value.exemplars, uppers)
                ph = m.histogram
                ph.sample_count = h.count
                ph.sample_sum = nat.sum
                for k, (u, c) in enumerate(zip(uppers, cum)):
                    b = ph.bucket.add(cumulative_count=c, upper_bound=u / 1e9)
                    if k in ex:
                        b.exemplar.label.add(name=EXEMPLAR_LABEL, value=ex[k].trace_id)
                        b.exemplar.value = ex[k].value_ns / 1e9
                ph.schema = nat.schema
                ph.zero_threshold = nat.zero_threshold
                ph.zero_count = nat.zero_count
                for off, ln in nat.spans or ((0, 0),):
                    ph.positive_span.add(offset=off, length=ln)
                ph.positive_delta.extend(nat.deltas)
            elif fam.type == "counter":
                m.counter.value = float(s.value)
            else:
                m.gauge.value = float(s.value)
        body = mf.SerializeToString()
        out.append(_VarintBytes(len(body)) + body)
    return b"".join(out)


_CLASSES: dict[str, Any] = {}
