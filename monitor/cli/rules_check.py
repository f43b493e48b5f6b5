"""``monitor rules check RULES_FILE``: validate an alert rule file (TOML or JSON) with the
engine's own loader (:func:`monitor.alerts.config.load_config`); errors name the line / key."""

from __future__ import annotations

import argparse
import sys

from .common import Command, fail


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("rules_file", metavar="RULES_FILE", help="a .toml or .json rule file")


def _run(args: argparse.Namespace) -> int:
    from ..alerts.config import load_config
    from ..errors import MonitorError

    try:
        cfg = load_config(args.rules_file)
    except FileNotFoundError:
        return fail(f"{args.rules_file}: no such file")
    except MonitorError as exc:
        return fail(str(exc))
    sys.stdout.write(f"{args.rules_file}: OK, {len(cfg.rules)} rule(s), {len(cfg.silences)} silence(s)\n")
    for r in cfg.rules:
        sys.stdout.write(f"  {r.name}\n")
    return 0


COMMAND = Command(
    "check", "validate an alert rule file (line-numbered errors)", _configure, _run, parent="rules"
)
