"""What the commands share: the :class:`Command` record of the registry, exit codes, error
output, an aligned text table, number formatting for people and the progress line."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

__all__ = [
    "Command",
    "EXIT_OK",
    "EXIT_DRIFT",
    "EXIT_INPUT",
    "fail",
    "table",
    "fmt_num",
    "Progress",
    "write_json",
    "add_format_option",
    "split_names",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_DRIFT = 3


@dataclass(frozen=True)
class Command:
    """One entry of the command registry: ``configure(parser)`` adds its arguments; ``run(args)``
    returns the exit status (``None`` for a group whose subcommands name it as ``parent``)."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int] | None
    parent: str | None = None
    description: str | None = None


def fail(message: str) -> int:
    """Print ``monitor: error: message`` on stderr; return the input-error status (2)."""
    sys.stderr.write(f"monitor: error: {message}\n")
    return EXIT_INPUT


def fmt_num(v: Any, digits: int = 4) -> str:
    """A number for people: '-' for None/NaN, thousands separators for integers."""
    if v is None:
        return "-"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        if v != 0 and (abs(v) < 10**-(digits) or abs(v) >= 1e7):
            return f"{v:.{digits - 1}e}"
        return f"{v:.{digits}f}"
    return str(v)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[bool] | None = None) -> str:
    """An aligned text table (numbers right-aligned) with a rule under the header."""
    cells = [[fmt_num(c) if not isinstance(c, str) else c for c in r] for r in rows]
    if right is None:
        right = [
            bool(rows) and all(not isinstance(r[i], str) or r[i] == "-" for r in rows)
            for i in range(len(header))
        ]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(vals: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if right[i] else v.ljust(w) for i, (v, w) in enumerate(zip(vals, widths)))

    out = [line(list(header)).rstrip(), "  ".join("-" * w for w in widths)]
    out += [line(r).rstrip() for r in cells]
    return "\n".join(out)


def write_json(doc: Any, path: str) -> None:
    """``doc`` as JSON to ``path`` ('-' = stdout); raw integers stay integers."""
    text = json.dumps(doc, indent=1, sort_keys=False, allow_nan=False) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def add_format_option(p: argparse.ArgumentParser) -> None:
    from ..io import FORMATS

    p.add_argument("--format", choices=FORMATS, help="file format (default: from the extension)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line on stderr")


def split_names(values: Sequence[str] | None) -> list[str]:
    """``--columns a,b --columns c`` -> ['a', 'b', 'c']."""
    out: list[str] = []
    for v in values or ():
        out += [s.strip() for s in v.split(",") if s.strip()]
    return out


class Progress:
    """Rows read and rows per second on one stderr line, redrawn at most 5 times a second; only
    when stderr is a terminal and not ``quiet`` (own 30 lines: a bar needs a known total, which
    streamed CSV does not have, so a dependency like tqdm would add little)."""

    def __init__(self, quiet: bool, stream: TextIO | None = None, what: str = "rows") -> None:
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self.what = what
        self.rows = 0
        self.start = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def update(self, rows: int) -> None:
        self.rows += rows
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        rate = self.rows / max(now - self.start, 1e-9)
        self.stream.write(f"\r  {self.rows:,} {self.what} read, {rate:,.0f} {self.what}/s ")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
