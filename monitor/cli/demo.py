"""``monitor demo``: the built-in demonstration on synthetic data (no input needed)."""

from __future__ import annotations

import argparse
import sys

from .common import Command


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--drift",
        action="store_true",
        help="the input-drift walk-through instead of the four-signal service demo",
    )
    p.add_argument(
        "--html",
        metavar="PATH",
        help="also write the demo's drift and latency report (one self-contained HTML file)",
    )
    p.add_argument(
        "--serve",
        metavar="HOST:PORT",
        help="serve the demo's metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464) and keep "
        "serving after it ends, until interrupted",
    )
    p.add_argument("--serve-for", type=float, default=None, help=argparse.SUPPRESS)  # tests


def _run(args: argparse.Namespace) -> int:
    if args.drift:
        from .._demo_drift import run_drift_demo

        rc = run_drift_demo(sys.stdout)
    else:
        from .._demo import run_demo

        if args.serve:
            from ..exposition.cli import serve_while

            rc = serve_while(
                args.serve, lambda register: run_demo(sys.stdout, register), sys.stdout, args.serve_for
            )
        else:
            rc = run_demo(sys.stdout)
    if args.html:
        from .._demo import demo_latency_histogram
        from .._demo_drift import demo_drift_document
        from ..report import latency_document, write_report

        doc = demo_drift_document()
        lat = latency_document(demo_latency_histogram(), "ms", "monitor demo (simulated service)")
        write_report(args.html, doc, lat, title="monitor demo: drift and latency report")
        sys.stdout.write(f"report written to {args.html}\n")
    return rc


COMMAND = Command("demo", "run the built-in demo on synthetic data (no input needed)", _configure, _run)
