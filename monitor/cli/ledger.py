"""``monitor ledger``: the group of audit-ledger commands (its subcommands name it as parent)."""

from __future__ import annotations

import argparse

from .common import Command


def _configure(p: argparse.ArgumentParser) -> None:
    pass


COMMAND = Command("ledger", "audit ledgers: verify them", _configure, None)
