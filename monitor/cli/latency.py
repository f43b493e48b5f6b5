"""``monitor latency FILE --column latency_ms``: count, min, P50, P90, P99, P99.9 and max of a
column of latencies, recorded in a :class:`monitor.LatencyHistogram` (fixed memory; every
quantile within the histogram's stated relative error of the exact order statistic)."""

from __future__ import annotations

import argparse
import sys

from .common import Command, Progress, add_format_option, table, write_json


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="csv, parquet, arrow, jsonl, npy, npz")
    p.add_argument("--column", required=True, help="the column holding the latencies")
    p.add_argument(
        "--unit", choices=("ns", "us", "ms", "s"), default="ms", help="the column's unit (default ms)"
    )
    p.add_argument("--json", metavar="OUT_JSON", help="write the results as JSON ('-' for stdout)")
    p.add_argument("--html", metavar="REPORT_HTML", help="write the HTML report")
    add_format_option(p)


def _run(args: argparse.Namespace) -> int:
    from ..errors import InvalidArgumentError
    from ..io import open_table
    from ..latency import LatencyHistogram
    from ..report import latency_document, write_report

    src = open_table(args.file, args.format)
    if args.column not in src.names:
        raise InvalidArgumentError(
            f"{args.file}: no column {args.column!r} (--column); the file has {src.names!r}"
        )
    hist = LatencyHistogram()
    progress = Progress(args.quiet)
    for start, batch in src.batches([args.column]):
        col = batch[args.column]
        if col.dtype.kind not in "iuf":
            bad = next((i for i, v in enumerate(col) if not _is_number(v)), 0)
            raise InvalidArgumentError(
                f"{args.file}: column {args.column!r}, row {start + bad + 1}: {col[bad]!r} is not a number"
            )
        hist.record_many(col, args.unit)
        progress.update(len(col))
    progress.close()
    doc = latency_document(hist, args.unit, args.file)
    if args.json:
        write_json(doc, args.json)
    if args.html:
        write_report(args.html, None, doc, title=f"monitor latency report: {args.file}")
    if args.json != "-":
        v = doc["values"]
        keys = ("min", "p50", "p90", "p99", "p999", "max")
        head = ["count", *(f"{k} {args.unit}" for k in ("min", "P50", "P90", "P99", "P99.9", "max"))]
        sys.stdout.write(table(head, [[doc["count"], *(v[k] for k in keys)]]) + "\n")
        sys.stdout.write(
            f"each quantile within {doc['relative_error']:.3%} of the exact value (histogram bound); "
            f"invalid {doc['invalid']}, below range {doc['underflow']}, above range {doc['overflow']}\n"
        )
    return 0


def _is_number(v: object) -> bool:
    if v is None:
        return True
    try:
        float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


COMMAND = Command("latency", "latency percentiles of a column of a data file", _configure, _run)
