"""``monitor fit TRAIN_FILE -o reference.json``: fit a reference profile once (quantile bins
for numeric columns, categories for string / ``--categorical`` columns) and save it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from .common import Command, Progress, add_format_option, fail, split_names, table


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "train", metavar="TRAIN_FILE", help="reference (training) data: csv, parquet, arrow, jsonl, npy, npz"
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="REFERENCE_JSON", help="where to write the reference"
    )
    p.add_argument("--bins", type=int, default=10, help="quantile bins per numeric column (default 10)")
    p.add_argument("--columns", action="append", metavar="A,B,...", help="columns to fit (default: all)")
    p.add_argument(
        "--categorical",
        action="append",
        metavar="A,B,...",
        help="columns of integer codes to treat as categories (string columns always are)",
    )
    p.add_argument(
        "--top-k",
        type=int,
        default=None,
        help=(
            "categories kept per categorical column, strings and --categorical integer codes "
            "alike; the rest is 'other' (default 50)"
        ),
    )
    add_format_option(p)


def _run(args: argparse.Namespace) -> int:
    from ..io import open_table
    from ..reference import TOP_K_DEFAULT, Reference

    src = open_table(args.train, args.format)
    columns = split_names(args.columns) or list(src.names)
    missing = [c for c in columns if c not in src.names]
    if missing:
        return fail(f"{args.train}: no column {missing!r} (--columns); the file has {src.names!r}")
    categorical = split_names(args.categorical)
    unknown = [c for c in categorical if c not in columns]
    if unknown:
        return fail(f"--categorical {unknown!r}: not among the fitted columns {columns!r}")
    parts: dict[str, list[Any]] = {c: [] for c in columns}
    progress = Progress(args.quiet)
    for _, batch in src.batches(columns):
        for c in columns:
            parts[c].append(batch[c])
        progress.update(len(batch[columns[0]]))
    progress.close()
    if progress.rows == 0:
        return fail(f"{args.train}: no data rows (a header only?); a reference needs at least one row")
    data = {c: _concat(v) for c, v in parts.items()}
    ref = Reference.fit(
        data,
        bins=args.bins,
        categorical=categorical,
        top_k=TOP_K_DEFAULT if args.top_k is None else args.top_k,
    )
    ref.save(args.output)
    rows = []
    for f in ref.features:
        ncat = len(f.category_bins)
        kind = f.kind if f.labels is None else "categorical (labels)"
        rows.append([f.name, kind, ncat, f.nan, f.below + f.above if f.kind == "numeric" else 0, f.other])
    sys.stdout.write(table(["feature", "kind", "bins", "nan", "out", "other"], rows) + "\n")
    sys.stdout.write(f"reference: {ref.rows:,} rows, {len(ref)} features -> {args.output} ({ref.digest})\n")
    return 0


def _concat(chunks: list[Any]) -> Any:
    if len(chunks) == 1:
        return chunks[0]
    if all(c.dtype.kind == "f" for c in chunks):
        return np.concatenate(chunks)
    return np.concatenate([c.astype(object) for c in chunks])


COMMAND = Command(
    "fit", "fit a reference profile from training data and save it (reference.json)", _configure, _run
)
