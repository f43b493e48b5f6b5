"""Command line: ``python -m monitor demo`` runs the built-in demonstration (``--serve
HOST:PORT`` serves its metrics); ``python -m monitor verify`` checks the golden vectors and prints
their digest; ``python -m monitor rules to-prometheus RULES_FILE`` writes Prometheus alerting
rules equivalent to a rule file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="monitor", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the built-in demo on synthetic data (no input needed)")
    demo.add_argument(
        "--drift",
        action="store_true",
        help="the input-drift walk-through instead of the four-signal service demo",
    )
    demo.add_argument(
        "--serve",
        metavar="HOST:PORT",
        help="serve the demo's metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464) and keep "
        "serving after it ends, until interrupted",
    )
    demo.add_argument("--serve-for", type=float, default=None, help=argparse.SUPPRESS)  # tests
    rules = sub.add_parser("rules", help="alert rule files")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    to_prom = rules_sub.add_parser(
        "to-prometheus", help="write Prometheus alerting rules equivalent to RULES_FILE (TOML or JSON)"
    )
    to_prom.add_argument("rules_file")
    to_prom.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    to_prom.add_argument("--group", default="monitor", help="rule group name (default: monitor)")
    to_prom.add_argument("--interval", default=None, help="evaluation interval of the group (e.g. 30s)")
    ver = sub.add_parser("verify", help="check the golden vectors; print PASS and their digest")
    ver.add_argument("golden", nargs="?", default=None, help="golden file (default: shipped v1)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.drift:
            from ._demo_drift import run_drift_demo

            return run_drift_demo(sys.stdout)
        from ._demo import run_demo

        if args.serve:
            from .exposition.cli import serve_while

            return serve_while(
                args.serve, lambda register: run_demo(sys.stdout, register), sys.stdout, args.serve_for
            )
        return run_demo(sys.stdout)
    if args.command == "rules":
        from .exposition.cli import rules_to_prometheus

        return rules_to_prometheus(
            args.rules_file, args.output, args.group, args.interval, sys.stdout, sys.stderr
        )
    if args.command == "verify":
        from ._verify import run_verify

        return run_verify(sys.stdout, args.golden)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
