"""``monitor verify``: check the golden vectors; print PASS and their digest."""

from __future__ import annotations

import argparse
import json
import os
import sys

from .common import Command, fail


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("golden", nargs="?", default=None, help="golden file (default: the shipped v1)")


def _run(args: argparse.Namespace) -> int:
    from .._verify import run_verify

    path = args.golden
    if path is not None:
        if not os.path.exists(path):
            return fail(f"{path}: no such file (expected a golden-vector JSON file)")
        if os.path.isdir(path):
            return fail(f"{path}: is a directory (expected a golden-vector JSON file)")
    try:
        return run_verify(sys.stdout, path)
    except UnicodeDecodeError:
        return fail(f"{path}: not UTF-8 text (expected a golden-vector JSON file)")
    except json.JSONDecodeError as exc:
        return fail(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return fail(f"{path}: not a golden-vector file ({type(exc).__name__}: {exc})")


COMMAND = Command("verify", "check the golden vectors; print PASS and their digest", _configure, _run)
