"""``monitor ledger verify PATH [--head HEX --count N]``: verify an audit ledger file with the C
verifier (:func:`monitor.ledger.verify_ledger`). Exit 0: every entry good (and the anchor, when
given, matches); 1: verification failed, the message names the first bad entry's index and why;
2: bad input (no such file, a malformed --head / --count)."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_FAILED, Command, fail


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="PATH", help="the ledger file (entries back to back)")
    p.add_argument(
        "--head", metavar="HEX", help="anchor: the head hash kept outside the ledger (64 hex digits)"
    )
    p.add_argument("--count", metavar="N", type=int, help="anchor: the entry count at that head")


def _run(args: argparse.Namespace) -> int:
    from ..errors import MonitorError
    from ..ledger import LedgerAnchor, verify_ledger_bytes

    if (args.head is None) != (args.count is None):
        return fail("--head and --count go together (the anchor is a head hash and its entry count)")
    try:
        anchor = None if args.head is None else LedgerAnchor.parse(args.head, args.count)
    except MonitorError as exc:
        return fail(str(exc))
    try:
        with open(args.path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return fail(f"{args.path}: no such file")
    rep = verify_ledger_bytes(data, anchor)
    if not rep.ok:
        sys.stderr.write(f"monitor: verification failed: {rep.message(args.path)}\n")
        return EXIT_FAILED
    sys.stdout.write(rep.message(args.path) + ("" if anchor is None else " (anchor matches)") + "\n")
    sys.stdout.write(
        f"  model {rep.model_version!r}, policy {rep.policy_hash.hex()}, reference sha256:"
        f"{rep.reference_digest.hex()}, checkpoint every {rep.checkpoint_every}\n"
    )
    return 0


COMMAND = Command(
    "verify",
    "verify an audit ledger file (first bad entry; truncation against --head/--count)",
    _configure,
    _run,
    parent="ledger",
)
