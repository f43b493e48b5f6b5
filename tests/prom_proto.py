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
    names = ("MetricFamily", "Metric", "Histogram", "Bucket", "BucketSpan", "LabelPair", "Counter", "Gauge")
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
