"""Bit identity across platforms: the C core, every C unit test and the golden-vector program
built for each target of csrc/cross.mk's CROSS_MATRIX (gcc and clang at -O0/-O2/-O3 on x86-64;
i686 with the x87 FPU; aarch64, armhf and big-endian s390x under qemu-user) must all pass and
print the same golden digest, which must be the digest written in monitor/data/golden_v2.json
(and printed by ``python -m monitor verify``). A target whose compiler or emulator is missing is
skipped with the reason; ``.ci/run`` installs them all."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from oracles import GOLDEN, ROOT

CSRC = os.path.join(ROOT, "csrc")

pytestmark = [
    pytest.mark.toolchain,
    pytest.mark.skipif(shutil.which("make") is None, reason="needs make"),
]


def _matrix() -> list[str]:
    with open(os.path.join(CSRC, "cross.mk"), encoding="utf-8") as fh:
        text = fh.read()
    m = re.search(r"^CROSS_MATRIX \?=((?:.*\\\n)*.*)$", text, re.M)
    assert m, "CROSS_MATRIX not found in csrc/cross.mk"
    return m.group(1).replace("\\\n", " ").split()


MATRIX = _matrix()


def _known_failing() -> list[str]:
    with open(os.path.join(CSRC, "cross.mk"), encoding="utf-8") as fh:
        m = re.search(r"^CROSS_KNOWN_FAILING \?=(.*)$", fh.read(), re.M)
    return m.group(1).split() if m else []


KNOWN_FAILING = _known_failing()
# what each known failure must still look like (csrc/cross.mk explains them)
KNOWN_FAILURE_SIGNS: dict[str, str] = {}


def _tools(target: str) -> dict[str, str]:
    proc = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", CSRC, f"cross-tools-{target}"],
        capture_output=True,
        text=True,
    )
    return dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)


_PROBES: dict[str, str | None] = {}


def _missing(target: str) -> str | None:
    """Why ``target`` cannot be built and run here (a probe program is compiled, statically
    linked for foreign targets, and run), or None."""
    if target in _PROBES:
        return _PROBES[target]
    t = _tools(target)
    cc, run = t.get("CC", "").split(), t.get("RUN", "").split()
    why = None
    if not cc or shutil.which(cc[0]) is None:
        why = f"{target}: compiler {cc[0] if cc else '?'} not installed"
    elif run and shutil.which(run[0]) is None:
        why = f"{target}: {run[0]} not installed (qemu-user)"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            src, exe = os.path.join(tmp, "p.c"), os.path.join(tmp, "p")
            with open(src, "w") as fh:
                fh.write('#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n')
            link = ["-static"] if not target.startswith("x86_64-") else []
            b = subprocess.run(cc + [src, *link, "-o", exe], capture_output=True, text=True)
            if b.returncode != 0:
                why = f"{target}: `{' '.join(cc)}` cannot build a static program: {b.stderr[-300:]}"
            else:
                r = subprocess.run(run + [exe], capture_output=True, text=True)
                if r.stdout.strip() != "ok":
                    why = f"{target}: cannot run a {target.split('-')[0]} program: {r.stderr[-300:]}"
    _PROBES[target] = why
    return why


def _run(target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", CSRC, f"cross-{target}"],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def results() -> dict[str, subprocess.CompletedProcess[str]]:
    runnable = [t for t in MATRIX if _missing(t) is None]
    # two workers: the machine has two cores; every target builds into its own directory
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(runnable, pool.map(_run, runnable)))


def _expected_digest() -> str:
    with open(GOLDEN, encoding="utf-8") as fh:
        return str(json.load(fh)["digest"])


def _expected_rules_digest() -> str:
    with open(os.path.join(ROOT, "monitor", "data", "golden_rules_v1.json"), encoding="utf-8") as fh:
        return str(json.load(fh)["digest"])


@pytest.mark.req("MON-REQ-CORE-001")
def test_matrix_covers_required_platforms() -> None:
    archs = {t.split("-")[0] for t in MATRIX}
    assert {"x86_64", "i686", "aarch64", "armhf", "s390x"} <= archs
    host = {t for t in MATRIX if t.startswith("x86_64-")}
    assert {f"x86_64-{cc}-{o}" for cc in ("gcc", "clang") for o in ("O0", "O2", "O3")} <= host


@pytest.mark.parametrize("target", MATRIX)
@pytest.mark.req("MON-REQ-CORE-001")
def test_target_bit_identical(target: str, results: dict[str, subprocess.CompletedProcess[str]]) -> None:
    why = _missing(target)
    if why:
        pytest.skip(why)
    proc = results[target]
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{target} failed:\n{log[-4000:]}"
    runs = re.findall(r"^(\d+) checks, (\d+) failed$", proc.stdout, re.M)
    n_tests = len([f for f in os.listdir(os.path.join(CSRC, "tests")) if re.match(r"test_.*\.c$", f)])
    assert len(runs) == n_tests, f"{target}: expected {n_tests} C test programs to run:\n{log[-4000:]}"
    assert all(failed == "0" for _, failed in runs), log[-4000:]
    golden = re.findall(r"^GOLDEN (PASS|FAIL) sha256=([0-9a-f]{64})", proc.stdout, re.M)
    assert golden == [("PASS", _expected_digest())], f"{target}: {golden}\n{log[-4000:]}"
    with open(os.path.join(ROOT, "monitor", "data", "golden_ledger_v1.json"), encoding="utf-8") as fh:
        gl = json.load(fh)
    ledger = re.findall(r"^GOLDEN (LEDGER|REFERENCE) PASS \w+=([0-9a-f]{64})", proc.stdout, re.M)
    want = [("LEDGER", gl["ledger"]["head"]), ("REFERENCE", gl["reference"]["digest"][7:])]
    assert ledger == want, f"{target}: ledger / reference golden vectors {ledger}\n{log[-4000:]}"
    rules = re.findall(r"^RULES GOLDEN (PASS|FAIL) sha256=([0-9a-f]{64})", proc.stdout, re.M)
    assert rules == [("PASS", _expected_rules_digest())], f"{target}: {rules}\n{log[-4000:]}"
    safety = re.findall(r"^GOLDEN SAFETY (PASS|FAIL) steps=(\d+)", proc.stdout, re.M)
    assert safety == [("PASS", "400")], f"{target}: safety golden vectors {safety}\n{log[-4000:]}"


@pytest.mark.req("MON-REQ-CORE-001")
def test_all_runnable_targets_agree(results: dict[str, subprocess.CompletedProcess[str]]) -> None:
    digests = {
        t: re.findall(r"^GOLDEN \w+ sha256=([0-9a-f]{64})", p.stdout, re.M) for t, p in results.items()
    }
    if not digests:
        pytest.skip("no cross target runnable here")
    distinct = {tuple(d) for d in digests.values()}
    assert len(distinct) == 1, f"targets disagree: {digests}"


@pytest.mark.parametrize("target", KNOWN_FAILING)
def test_known_failing_target_still_fails_for_its_reason(target: str) -> None:
    why = _missing(target)
    if why:
        pytest.skip(why)
    proc = _run(target)
    log = proc.stdout + proc.stderr
    if proc.returncode == 0:
        pytest.fail(
            f"{target} builds and passes now: move it from CROSS_KNOWN_FAILING to "
            "CROSS_MATRIX in csrc/cross.mk"
        )
    assert re.search(KNOWN_FAILURE_SIGNS[target], log), f"{target} fails differently:\n{log[-4000:]}"
