"""Command line: ``python -m monitor demo`` runs the built-in demonstration;
``python -m monitor verify`` checks the golden vectors and prints their digest."""

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
    ver = sub.add_parser("verify", help="check the golden vectors; print PASS and their digest")
    ver.add_argument("golden", nargs="?", default=None, help="golden file (default: shipped v1)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.drift:
            from ._demo_drift import run_drift_demo

            return run_drift_demo(sys.stdout)
        from ._demo import run_demo

        return run_demo(sys.stdout)
    if args.command == "verify":
        from ._verify import run_verify

        return run_verify(sys.stdout, args.golden)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
