"""The ``monitor`` command line (``python -m monitor`` and the ``monitor`` entry point).

Every command is one module of this package holding a :class:`~monitor.cli.common.Command`
named ``COMMAND``; :data:`COMMAND_MODULES` lists them in the order ``--help`` shows them. A
command whose ``parent`` is set is a subcommand of that group (``monitor rules check``). Adding
a command is a new module plus its name in the tuple (see docs/architecture.md).

Exit status: 0 = ran (and no drift at or above ``--fail-on``), 3 = drift found, 2 = usage or
input error (the message says which file / column / row / value), 1 = a verification failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ..errors import MonitorError
from .common import EXIT_INPUT, Command, fail

__all__ = ["main", "COMMAND_MODULES", "commands", "build_parser"]

#: The command modules, in ``--help`` order (each defines ``COMMAND``).
COMMAND_MODULES = (
    "demo",
    "verify",
    "fit",
    "drift",
    "latency",
    "rules",
    "rules_check",
    "rules_to_prometheus",
    "ledger",
    "ledger_verify",
)

DESCRIPTION = """\
Deterministic, fixed-memory runtime monitor for ML inference.

  monitor fit train.csv -o reference.json       fit the reference once (quantile bins)
  monitor drift reference.json today.csv --html report.html
                                                drift verdict, table, JSON and report
  monitor latency requests.csv --column latency_ms
  monitor demo --html demo.html                 everything on synthetic data

Exit status: 0 ok, 3 drift at or above --fail-on, 2 usage or input error, 1 verification failed.
"""


def commands() -> list[Command]:
    """Every registered command, in :data:`COMMAND_MODULES` order."""
    return [importlib.import_module(f"{__name__}.{m}").COMMAND for m in COMMAND_MODULES]


def _version() -> str:
    from .. import __version__

    return f"monitor {__version__}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    parsers: dict[str, argparse.ArgumentParser] = {}
    for cmd in commands():
        target = sub if cmd.parent is None else groups.get(cmd.parent)
        if target is None:  # pragma: no cover - a registry mistake, caught by the tests
            raise RuntimeError(f"command {cmd.name!r}: parent {cmd.parent!r} is not registered before it")
        p = target.add_parser(
            cmd.name,
            help=cmd.help,
            description=cmd.description or cmd.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        cmd.configure(p)
        if cmd.run is not None:
            p.set_defaults(_run=cmd.run)
        else:  # a group: its subcommands follow
            groups[cmd.name] = p.add_subparsers(dest=f"{cmd.name}_command", required=True, metavar="COMMAND")
        parsers[cmd.name] = p
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module doc)."""
    args = build_parser().parse_args(argv)
    try:
        rc = int(args._run(args))
        sys.stdout.flush()
        return rc
    except BrokenPipeError:
        # The reader went away (`monitor demo | head`): not an error of ours. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("monitor: interrupted\n")
        return 130
    except MonitorError as exc:
        return fail(str(exc))
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return fail(f"{where}{exc.strerror or exc}")
    except MemoryError:
        return fail("out of memory (fit holds the fitted columns as float64; select fewer with --columns)")
    return EXIT_INPUT  # pragma: no cover
