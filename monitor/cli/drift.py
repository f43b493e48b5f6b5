"""``monitor drift reference.json CURRENT_FILE``: per feature PSI / JS distance / TV, band and
NaN / out-of-range / unseen counts of the current file against a saved reference, streamed in
batches through :class:`monitor.DriftMonitor` (the same scores as the Python API). With
``--window ROWS``, one row of scores per window of ROWS rows of the file (the last one may be
shorter). Exit 3 when a feature's band is at or above ``--fail-on``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
import numpy.typing as npt

from .common import EXIT_DRIFT, EXIT_OK, Command, Progress, add_format_option, fail, table, write_json

FAIL_BANDS = {"moderate": ("moderate", "significant"), "significant": ("significant",)}
_WHOLE_FILE = (
    2**53
)  # the window of a whole-file run (DriftMonitor's largest: the scores take totals up to 2**53)


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("reference", metavar="REFERENCE_JSON", help="a reference written by `monitor fit`")
    p.add_argument(
        "current", metavar="CURRENT_FILE", help="today's data: csv, parquet, arrow, jsonl, npy, npz"
    )
    p.add_argument("--json", metavar="OUT_JSON", help="write the results as JSON ('-' for stdout)")
    p.add_argument("--html", metavar="REPORT_HTML", help="write the HTML report")
    p.add_argument(
        "--fail-on",
        choices=sorted(FAIL_BANDS),
        default="significant",
        help="exit 3 when a feature reaches this band (default significant)",
    )
    p.add_argument("--window", type=int, metavar="ROWS", help="score every ROWS rows separately")
    add_format_option(p)


def run_drift(
    reference_path: str, current_path: str, fmt: str | None, window: int | None, quiet: bool, fail_on: str
) -> dict[str, Any]:
    """Stream ``current_path`` against the saved reference; the drift document (JSON types)."""
    from ..drift_monitor import DriftMonitor
    from ..errors import ConfigMismatchError, InvalidArgumentError
    from ..io import open_table, prefetch
    from ..profile import Profiler
    from ..reference import Reference
    from ..report import drift_document, drift_window

    if window is not None and window < 1:
        raise InvalidArgumentError(f"--window must be a positive number of rows, got {window}")
    ref = Reference.load(reference_path)
    src = open_table(current_path, fmt)
    missing = [n for n in ref.names if n not in src.names]
    if missing:
        extra = [n for n in src.names if n not in ref.names]
        hint = f"; columns not in the reference: {extra!r} (a renamed column?)" if extra else ""
        raise ConfigMismatchError(
            f"{current_path}: missing the reference's column(s) {missing!r}{hint}; "
            f"the reference has {list(ref.names)!r}"
        )
    size = window or _WHOLE_FILE
    dm = DriftMonitor(ref, window=size, slots=1)  # the scorer: its options, its one scoring path
    acc = Profiler(ref)  # the counts, column by column (what dm.update would count, exactly)
    windows: list[dict[str, Any]] = []
    progress = Progress(quiet)
    rows = 0

    def batch_of(cols: list[npt.NDArray[Any]]) -> dict[str, npt.NDArray[Any]]:
        return dict(zip(ref.names, cols))

    for start, batch in prefetch(src.batches(list(ref.names))):
        cols = _feature_columns(ref, batch, start)
        pos, n = 0, len(cols[0])
        while pos < n:
            take = min(n - pos, size - rows % size)
            acc.add(
                {name: c[pos : pos + take] for name, c in zip(ref.names, cols)}
                if take < n
                else batch_of(cols)
            )
            pos += take
            rows += take
            if window is not None and rows % size == 0:
                windows.append(drift_window(ref, dm, *acc.window_counts(), start=rows - size, end=rows))
                acc.reset()
        progress.update(n)
    progress.close()
    if rows == 0:
        raise InvalidArgumentError(f"{current_path}: no data rows (a header only?); nothing to compare")
    if window is None or rows % size:
        windows.append(drift_window(ref, dm, *acc.window_counts(), start=rows - acc.rows, end=rows))
    bad = FAIL_BANDS[fail_on]
    found = any(f["band"] in bad for w in windows for f in w["features"])
    return drift_document(
        ref,
        windows,
        reference_source=reference_path,
        current_source=current_path,
        fail_on=fail_on,
        drift_found=found,
    )


def _feature_columns(ref: Any, batch: Any, start: int) -> list[npt.NDArray[Any]]:
    """The batch's columns as the reference's features bin them, in its order: float64 columns
    of numeric features as they are (no copy), labels encoded (:func:`monitor.reference.encode_labels`,
    as :meth:`Reference.encode` encodes them); any other column through :meth:`Reference.encode`
    (its checks and messages: a value that is not a number names its row)."""
    from ..reference import encode_labels

    out: list[npt.NDArray[Any]] = []
    for f in ref.features:
        col = batch[f.name]
        if f.labels is not None:
            out.append(encode_labels(col, f.labels))
        elif isinstance(col, np.ndarray) and col.dtype == np.float64 and col.ndim == 1:
            out.append(col)
        else:
            x = ref.encode(batch, row_offset=start)
            return [np.ascontiguousarray(x[:, i]) for i in range(x.shape[1])]
    return out


def _run(args: argparse.Namespace) -> int:
    doc = run_drift(args.reference, args.current, args.format, args.window, args.quiet, args.fail_on)
    if args.json:
        write_json(doc, args.json)
    if args.html:
        from ..report import write_report

        write_report(args.html, doc, None, title=f"monitor drift report: {args.current}")
    if args.json != "-":
        out = sys.stdout
        wins = doc["windows"]
        if len(wins) > 1:
            names = [f["name"] for f in wins[0]["features"]]
            rows = [
                [f"{w['start']}-{w['end'] - 1}", w["band"], *[f["psi"] for f in w["features"]]] for w in wins
            ]
            out.write("PSI per window\n" + table(["rows", "worst band", *names], rows) + "\n\n")
        last = wins[-1]
        rows = [
            [
                f["name"],
                f["band"],
                f["psi"],
                f["js_distance"],
                f["tv"],
                f["count"],
                f["nan"],
                f["below"] + f["above"],
                f["unseen"],
            ]
            for f in last["features"]
        ]
        head = ["feature", "band", "PSI", "JS dist", "TV", "n", "nan", "out of range", "unseen"]
        if len(wins) > 1:
            out.write(f"last window, rows {last['start']}-{last['end'] - 1}\n")
        out.write(table(head, rows) + "\n")
        verdict = "DRIFT" if doc["drift"] else "no drift"
        out.write(
            f"verdict: {verdict} (at or above {args.fail_on}); {doc['current']['rows']:,} rows vs reference "
            f"{doc['reference']['digest'][:19]}...\n"
        )
        for what, path in (("json", args.json), ("report", args.html)):
            if path:
                out.write(f"{what} written to {path}\n")
    return EXIT_DRIFT if doc["drift"] else EXIT_OK


COMMAND = Command(
    "drift",
    "drift of a data file against a saved reference (exit 3 on drift)",
    _configure,
    _run,
    description=(
        "Per feature PSI, JS distance, TV, band and NaN / out-of-range / unseen counts of\n"
        "CURRENT_FILE against a reference written by `monitor fit`, streamed in batches through\n"
        "monitor.DriftMonitor (the same scores as the Python API). With --window ROWS, one row\n"
        "of scores per ROWS rows of the file. Exit 3 when a feature reaches --fail-on."
    ),
)

__all__ = ["COMMAND", "run_drift", "fail"]
