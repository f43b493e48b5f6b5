"""Certification checkers of issue 16 items 2-4 (docs/certification.md sections 7-9), run in the
test suite: MC/DC of the C core (clang -fcoverage-mcdc), MISRA C:2012 (cppcheck's addon) against
the deviation record, Frama-C Eva on the binning hot path (CI's reduced bounds), gcc -fanalyzer
and clang's static analyzer. Each checker is also shown to fail on a planted defect. A missing
tool skips with its Debian package named (.ci/run installs them all)."""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import pytest

from oracles import CSRC, ROOT


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "tools", "cert", f"{name}.py"))
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


mcdc = _load("mcdc_table")
misra = _load("misra_check")
eva = _load("eva_check")


def _needs(*tools: str, package: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian {package})")


def _make(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", CSRC, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- MC/DC -----------------------------------------------------------------------------------


def _clang_has_profile_runtime(tmp_path) -> bool:
    """Whether clang-19 links a program with -fprofile-instr-generate (its compiler-rt profile
    runtime is a separate Debian package)."""
    src = tmp_path / "p.c"
    src.write_text("int main(void) { return 0; }\n")
    r = subprocess.run(
        ["clang-19", "-fprofile-instr-generate", str(src), "-o", str(tmp_path / "p")],
        capture_output=True,
        text=True,
    )
    return r.returncode == 0


@pytest.mark.slow
def test_mcdc_of_the_core_is_complete_or_justified(tmp_path) -> None:
    _needs("clang-19", "llvm-cov-19", "llvm-profdata-19", package="clang-19 llvm-19")
    if not _clang_has_profile_runtime(tmp_path):
        pytest.skip("needs clang-19's profile runtime (Debian libclang-rt-19-dev)")
    r = _make("mcdc")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    assert "MC/DC check OK" in r.stdout
    with open(os.path.join(CSRC, "build", "mcdc", "export.json"), encoding="utf-8") as f:
        files = mcdc.collect(json.load(f))
    # every core unit is linked into a test program and measured (the check holds all of them)
    for path in sorted(glob.glob(os.path.join(CSRC, "*.c"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            src = f.read()
        if "&&" in src or "||" in src:
            assert sum(len(d["covered"]) for d in files.get(name, [])) > 0, (
                f"{name}: its decisions were not measured"
            )


def _export(covered: list[bool]) -> dict:
    path = os.path.join(CSRC, "mon_bin.c")
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    line = next(i for i, t in enumerate(lines, 1) if "if (b == NULL || counts == NULL" in t)
    col = lines[line - 1].index("b == NULL") + 1
    end = lines[line - 1].index(") return MON_E_NULL") + 1
    rec = [line, col, line, end, 0, 5, covered]
    return {"data": [{"files": [{"filename": path, "mcdc_records": [rec]}], "functions": []}]}


def test_mcdc_checker_flags_an_unjustified_condition() -> None:
    files = mcdc.collect(_export([True, False, True, True, True]))
    rows, missing, stale = mcdc.analyse(files, [])
    assert [(m[0], m[2]) for m in missing] == [("mon_bin.c", 2)]
    assert rows == [("mon_bin.c", 1, 5, 4, 0)]
    just = [{"file": "mon_bin.c", "decision": missing[0][3], "conditions": [2], "why": "x"}]
    rows, missing, stale = mcdc.analyse(files, just)
    assert missing == [] and stale == [] and rows[0][4] == 1
    # a justification whose condition is covered now is stale
    rows, missing, stale = mcdc.analyse(mcdc.collect(_export([True] * 5)), just)
    assert missing == [] and len(stale) == 1


def test_mcdc_race_justification_is_never_stale_and_counts_only_when_used() -> None:
    """A race-only condition (``race = true``) is justified when the run did not show its pair
    and is not stale when the threads did show it; the list then names it without counting it."""
    files = mcdc.collect(_export([True, False, True, True, True]))
    text = mcdc.analyse(files, [])[1][0][3]
    just = [{"file": "mon_bin.c", "decision": text, "conditions": [2], "why": "race", "race": True}]
    rows, missing, stale = mcdc.analyse(files, just)
    assert missing == [] and stale == [] and rows[0][4] == 1
    files = mcdc.collect(_export([True] * 5))
    rows, missing, stale = mcdc.analyse(files, just)
    assert missing == [] and stale == [] and rows[0][4] == 0
    block = mcdc.render(rows, just, None, mcdc.matches(files, just))
    assert "This run's threads showed the pair." in block
    # without the mark the same entry is stale
    rows, missing, stale = mcdc.analyse(files, [dict(just[0], race=False)])
    assert len(stale) == 1


def test_mcdc_list_agrees_with_the_table_when_one_justification_covers_two_lines() -> None:
    """The same decision text at two lines (mon_drift.c's two copies of a shift) is one
    justification but two decisions: the table counts both, and the list must show both."""
    dec = {"file": "x.c", "text": "BITS != 0 && i < n", "covered": [False, True]}
    files = {"x.c": [dict(dec, line=10), dict(dec, line=20), dict(dec, line=30, covered=[True, True])]}
    just = [{"file": "x.c", "decision": "BITS != 0 && i < n", "conditions": [1], "why": "constant"}]
    rows, missing, stale = mcdc.analyse(files, just)
    assert missing == [] and stale == [] and rows == [("x.c", 3, 6, 4, 2)]
    assert mcdc.matches(files, just) == [[(10, [1]), (20, [1])]]
    block = mcdc.render(rows, just, None, mcdc.matches(files, just))
    listed = [r for r in block.splitlines() if r.startswith("| `x.c` | ") and "constant" in r]
    assert [r.split(" | ")[1] for r in listed] == ["10", "20"]
    with pytest.raises(SystemExit, match="counts 3 justified conditions but the list has 2"):
        mcdc.render([("x.c", 3, 6, 3, 3)], just, None, mcdc.matches(files, just))


def test_every_mcdc_justification_names_a_real_decision() -> None:
    for e in mcdc.load_justified():
        with open(os.path.join(CSRC, e["file"]), encoding="utf-8") as f:
            text = mcdc.norm(f.read())
        assert mcdc.norm(e["decision"]) in text, e
        assert e["conditions"] and e["why"].strip(), e


# --- MISRA -----------------------------------------------------------------------------------


def _misra_addon_works() -> bool:
    """The addon runs when it reports a planted violation (rule 15.5, a second return): probing
    a file of ours instead would skip the check silently once that file is clean."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        probe = os.path.join(d, "probe.c")
        with open(probe, "w", encoding="utf-8") as fh:
            fh.write(
                "int probe(int x);\nint probe(int x)\n{\n    if (x > 0) {\n        return 1;\n    }\n    return 0;\n}\n"
            )
        r = subprocess.run(["cppcheck", "--addon=misra", "-q", probe], capture_output=True, text=True)
    return "Failed to execute addon" not in r.stderr and "misra-c2012-15.5" in (r.stdout + r.stderr)


def test_misra_findings_are_all_under_a_documented_deviation() -> None:
    _needs("cppcheck", package="cppcheck")
    if not _misra_addon_works():
        pytest.skip("cppcheck's MISRA addon does not run (Debian cppcheck ships it)")
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "cert", "misra_check.py"), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    assert "MISRA check OK" in r.stdout


def test_misra_checker_fails_on_a_new_file_and_an_unrecorded_rule() -> None:
    recs = misra.load_record()
    assert recs, "docs/misra-deviations.md has no deviation rows"
    assert all(r["category"] in ("Required", "Advisory") for r in recs.values())  # never Mandatory
    text = "\n".join(
        [
            "mon_bin.c:10:5: style: misra-c2012-15.5: misra violation",  # recorded for mon_bin.c
            "mon_newunit.c:3:1: style: misra-c2012-15.5: misra violation",  # a file nobody recorded
            "mon_bin.c:11:5: style: misra-c2012-21.3: misra violation",  # a rule nobody recorded
            "mon_hist_table.h:1:1: style: misra-c2012-7.2: misra violation",  # generated: excluded
            "mon_bin.c:10:5: style: misra-c2012-15.5: misra violation",  # duplicate (a header)
        ]
    )
    findings = misra.parse(text)
    assert len(findings) == 3
    bad, _ = misra.check(findings, recs)
    assert sorted((f[0], f[3]) for f in bad) == [("mon_bin.c", "21.3"), ("mon_newunit.c", "15.5")]


def test_misra_check_covers_every_core_source() -> None:
    srcs = misra.sources()
    on_disk = sorted(f for f in os.listdir(CSRC) if f.endswith(".c"))
    assert sorted(srcs + [f for f in misra.GENERATED if f.endswith(".c")]) == on_disk


# --- Frama-C Eva -----------------------------------------------------------------------------


def test_eva_proves_mon_bin_count_free_of_runtime_errors() -> None:
    """CI's bounds (PROVE_CI=1: up to 10 edges, 5 values); `make -C csrc prove` runs the full
    bounds and the other hot paths (docs/certification.md, section 9)."""
    _needs("frama-c", package="frama-c-base")
    r = _make("prove-bin", "PROVE_CI=1")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    assert "PROVEN (no alarm)" in r.stdout


def test_eva_check_fails_on_an_alarm_and_on_an_aborted_run(tmp_path) -> None:
    log = tmp_path / "eva.log"
    log.write_text(
        "[eva:alarm] mon_x.c:12: Warning: \n  signed overflow. assert a + b <= 2147483647;\n"
        "[eva:summary] ====== ANALYSIS SUMMARY ======\n  1 alarm generated by the analysis:\n"
    )
    assert eva.main([str(log)]) == 1
    assert eva.main([str(log), "--max-alarms", "1"]) == 0
    log.write_text("[kernel] Frama-C aborted: invalid user input.\n")
    assert eva.main([str(log)]) == 2


# --- static analyzers ------------------------------------------------------------------------


@pytest.mark.slow
def test_gcc_and_clang_analyzers_are_clean_over_the_core() -> None:
    _needs("gcc", "clang-19", package="gcc clang-19")
    r = _make("-j2", "analyze")  # the two analyzers side by side
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    assert "gcc -fanalyzer" in r.stdout and "clang --analyze" in r.stdout


def test_analyzer_targets_fail_on_a_planted_defect(tmp_path) -> None:
    _needs("gcc", "clang-19", package="gcc clang-19")
    bad = tmp_path / "bad.c"
    bad.write_text(
        "#include <stddef.h>\n"
        "int planted(int *p, int n);\n"
        "int planted(int *p, int n) { if (n > 0) p = NULL; return *p; }\n"
    )
    for target in ("analyze-gcc", "analyze-clang"):
        r = _make(target, f"SRCS={bad}", f"OUT={tmp_path}")
        assert r.returncode != 0, f"{target} missed a NULL dereference:\n{r.stdout}{r.stderr}"
        assert "null" in (r.stdout + r.stderr).lower(), r.stdout + r.stderr
