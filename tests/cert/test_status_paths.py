"""Every status every public C function can return is provoked once by csrc/tests/test_status_paths.c
(under ASan and UBSan through test_c_core.py's sanitizer runs; here in a plain build), and the
statuses provoked match what each function's header comment documents: a documented status
that no test provokes, or a provoked status the header does not name, fails."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess

import pytest

from oracles import CSRC

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or shutil.which("gcc") is None, reason="needs make and gcc"
)

_DECL = re.compile(r"\bmon_status\s+(mon_\w+)\s*\(")
_REF = re.compile(r"\b(?:as|Statuses as)\s+(mon_\w+)")
# Documented through a shared comment but impossible for one member of the group.
UNREACHABLE = {
    ("mon_hist_record_us", "MON_E_CONFIG"): "the unit is fixed (a valid one)",
    ("mon_hist_record_ms", "MON_E_CONFIG"): "the unit is fixed (a valid one)",
    ("mon_hist_record_s", "MON_E_CONFIG"): "the unit is fixed (a valid one)",
}


def documented() -> dict[str, set[str]]:
    """function -> statuses named in the comment right above its declaration (with the
    statuses of a function it refers to by "as mon_x"), plus MON_OK."""
    own: dict[str, set[str]] = {}
    refs: dict[str, set[str]] = {}
    for path in sorted(glob.glob(os.path.join(CSRC, "mon_*.h"))):
        if path.endswith("_internal.h"):
            continue
        text = open(path, encoding="utf-8").read()
        for m in _DECL.finditer(text):
            end = text.rfind("*/", 0, m.start())
            start = text.rfind("/*", 0, end)
            between = text[end + 2 : m.start()]
            # a comment shared by a group of declarations (only declarations in between)
            if not re.fullmatch(r"(\s*mon_status\s+mon_\w+\s*\([^;]*\);)*\s*", between):
                raise AssertionError(f"{m.group(1)} has no doc comment right above it")
            comment = re.sub(r"\n\s*\*", " ", text[start:end])  # one line: no " * " leaders
            own[m.group(1)] = set(re.findall(r"\bMON_E_\w+", comment)) | {"MON_OK"}
            refs[m.group(1)] = {r for r in _REF.findall(comment) if r != m.group(1)}
    out: dict[str, set[str]] = {}
    for fn in own:
        seen, todo, acc = set(), [fn], set()
        while todo:
            f = todo.pop()
            if f in seen or f not in own:
                continue
            seen.add(f)
            acc |= own[f]
            todo.extend(refs[f])
        out[fn] = acc
    return out


def provoked() -> dict[str, set[str]]:
    proc = subprocess.run(
        ["make", "-s", "-C", CSRC, "VARIANT=status-paths", "build/status-paths/test_status_paths"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = subprocess.run(
        [os.path.join(CSRC, "build", "status-paths", "test_status_paths")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert " 0 failed" in run.stdout
    out: dict[str, set[str]] = {}
    for fn, st in re.findall(r"^STATUS-PATH (\w+) (\w+)$", run.stdout, re.M):
        out.setdefault(fn, set()).add(st)
    return out


@pytest.mark.req("MON-REQ-STATUS-002")
def test_every_documented_status_is_provoked_and_nothing_else() -> None:
    doc = documented()
    got = provoked()
    assert len(doc) > 50, sorted(doc)
    missing = sorted(
        (fn, st)
        for fn, sts in doc.items()
        for st in sts
        if st not in got.get(fn, set()) and (fn, st) not in UNREACHABLE
    )
    extra = sorted((fn, st) for fn, sts in got.items() for st in sts if st not in doc.get(fn, set()))
    assert not missing, f"documented but never provoked: {missing}"
    assert not extra, f"returned but not documented in the header: {extra}"
    for pair in UNREACHABLE:
        assert pair[1] not in got.get(pair[0], set())
