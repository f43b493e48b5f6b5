"""``monitor rules to-prometheus RULES_FILE``: Prometheus alerting rules equivalent to a rule
file, over the exported metric names (:mod:`monitor.exposition.rules`)."""

from __future__ import annotations

import argparse
import sys

from .common import Command


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("rules_file", metavar="RULES_FILE", help="a .toml or .json rule file")
    p.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    p.add_argument("--group", default="monitor", help="rule group name (default: monitor)")
    p.add_argument("--interval", default=None, help="evaluation interval of the group (e.g. 30s)")


def _run(args: argparse.Namespace) -> int:
    from ..exposition.cli import rules_to_prometheus

    return rules_to_prometheus(
        args.rules_file, args.output, args.group, args.interval, sys.stdout, sys.stderr
    )


COMMAND = Command(
    "to-prometheus",
    "write Prometheus alerting rules equivalent to RULES_FILE (TOML or JSON)",
    _configure,
    _run,
    parent="rules",
)
