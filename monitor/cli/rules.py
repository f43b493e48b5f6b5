"""``monitor rules``: the group of alert-rule file commands (its subcommands name it as parent)."""

from __future__ import annotations

import argparse

from .common import Command


def _configure(p: argparse.ArgumentParser) -> None:
    pass


COMMAND = Command("rules", "alert rule files: check (and convert) them", _configure, None)
