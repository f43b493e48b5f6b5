#!/usr/bin/env python3
"""MC/DC table of the C core from clang's -fcoverage-mcdc (``make -C csrc mcdc`` runs it).

Reads ``llvm-cov export`` JSON (the merged profile of every csrc/tests/test_*.c program), prints
one row per core file (decisions, conditions, conditions whose independence pair was shown) and
every condition whose pair is missing. Every core file must reach 100%: each missing condition
must be justified in tools/cert/mcdc_justified.toml (keyed by file and the decision's source
text, so the entry survives line moves).

    python tools/cert/mcdc_table.py EXPORT.json [--write-doc docs/certification.md] [--check]

Exit status 1 (with the list) when --check is given and an unjustified condition is missing,
or a justification no longer matches any decision (stale). An entry marked ``race = true`` is a
condition only a thread interleaving can give its pair (the 8-thread tests show it on some runs,
not on others): it justifies the condition when the run did not show the pair and is not stale
when it did.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSRC = os.path.join(ROOT, "csrc")
JUSTIFIED = os.path.join(ROOT, "tools", "cert", "mcdc_justified.toml")
BEGIN, END = "<!-- mcdc:begin -->", "<!-- mcdc:end -->"
# Every core file (csrc/*.c and its headers) must be covered or justified: issue 16 closed
# mon_drift, mon_hist recording and quantiles and mon_bin counting, then the safety-monitor units
# (csrc/tests/test_{policy,monitor_mcdc,ledger_mcdc,rules_mcdc}.c), then every other unit
# (csrc/tests/test_mcdc_hist.c, test_mcdc_core.c).


def norm(text: str) -> str:
    """A decision's source text with whitespace collapsed (the justification key)."""
    return re.sub(r"\s+", " ", text).strip()


def decision_text(path: str, l1: int, c1: int, l2: int, c2: int) -> str:
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if l1 == l2:
        return lines[l1 - 1][c1 - 1 : c2 - 1]
    parts = [lines[l1 - 1][c1 - 1 :]] + lines[l1 : l2 - 1] + [lines[l2 - 1][: c2 - 1]]
    return " ".join(parts)


def collect(export: dict) -> dict[str, list[dict]]:
    """Per core file: its decisions (deduplicated over the test programs that link it: the
    same region seen by several binaries or inline instantiations keeps its best record)."""
    out: dict[str, dict[tuple, dict]] = {}
    for data in export["data"]:
        for f in data["files"]:
            path = f["filename"]
            if os.path.dirname(os.path.abspath(path)) != CSRC:
                continue  # tests, system headers
            name = os.path.basename(path)
            seen = out.setdefault(name, {})
            for rec in f.get("mcdc_records", []):
                l1, c1, l2, c2 = rec[0], rec[1], rec[2], rec[3]
                conds = [bool(x) for x in rec[-1]]
                key = (l1, c1, l2, c2)
                old = seen.get(key)
                if old is None:
                    seen[key] = {
                        "file": name,
                        "line": l1,
                        "text": norm(decision_text(path, l1, c1, l2, c2)),
                        "covered": conds,
                    }
                else:  # same source region in another binary: a pair shown anywhere counts
                    old["covered"] = [a or b for a, b in zip(old["covered"], conds)]
    return {k: sorted(v.values(), key=lambda d: d["line"]) for k, v in sorted(out.items())}


def load_justified(path: str = JUSTIFIED) -> list[dict]:
    with open(path, "rb") as f:
        return tomllib.load(f).get("justified", [])


def matches(files: dict[str, list[dict]], justified: list[dict]) -> list[list[tuple[int, list[int]]]]:
    """Per justification: the decisions it justifies, as (line, [condition numbers]). One entry
    can justify several decisions: the same source text at several lines (a copy of the same
    test in two functions) is keyed once, and each copy's conditions count in the table."""
    out: list[list[tuple[int, list[int]]]] = [[] for _ in justified]
    for name, decs in files.items():
        for d in decs:
            for i, ok in enumerate(d["covered"]):
                if ok:
                    continue
                j = next(
                    (
                        k
                        for k, e in enumerate(justified)
                        if e["file"] == name and norm(e["decision"]) == d["text"] and i + 1 in e["conditions"]
                    ),
                    None,
                )
                if j is None:
                    continue
                if out[j] and out[j][-1][0] == d["line"]:
                    out[j][-1][1].append(i + 1)
                else:
                    out[j].append((d["line"], [i + 1]))
    return out


def analyse(files: dict[str, list[dict]], justified: list[dict]):
    rows, missing = [], []
    used = matches(files, justified)
    just_at = {
        (justified[j]["file"], line, c) for j, uses in enumerate(used) for line, cs in uses for c in cs
    }
    for name, decs in files.items():
        nconds = sum(len(d["covered"]) for d in decs)
        ncov = sum(sum(d["covered"]) for d in decs)
        njust = 0
        for d in decs:
            for i, ok in enumerate(d["covered"]):
                if ok:
                    continue
                if (name, d["line"], i + 1) in just_at:
                    njust += 1
                else:
                    missing.append((name, d["line"], i + 1, d["text"]))
        rows.append((name, len(decs), nconds, ncov, njust))
    stale = [e for k, e in enumerate(justified) if not used[k] and not e.get("race")]
    return rows, missing, stale


def render(rows, justified: list[dict], extra: list[str] | None = None, used=None) -> str:
    """The doc's block. used (from matches()): one list row per justified decision, so the
    list's conditions add up to the table's justified column (checked here)."""
    out = [BEGIN, "", "Generated by `make -C csrc mcdc` (`tools/cert/mcdc_table.py`).", ""]
    out.append("| file | decisions | conditions | MC/DC pairs shown | justified | MC/DC |")
    out.append("|---|---:|---:|---:|---:|---:|")
    tot = [0, 0, 0, 0]
    for name, nd, nc, ncov, nj in rows:
        if nd == 0:
            continue  # headers without decisions
        pct = f"{100.0 * ncov / nc:.1f}%" if nc else "-"
        out.append(f"| `{name}` | {nd} | {nc} | {ncov} | {nj} | {pct} |")
        tot = [tot[0] + nd, tot[1] + nc, tot[2] + ncov, tot[3] + nj]
    out.append(
        f"| **total** | {tot[0]} | {tot[1]} | {tot[2]} | {tot[3]} | {100.0 * tot[2] / max(tot[1], 1):.1f}% |"
    )
    out.append("")
    out.append("Every condition of every file has its pair shown or is justified below (100% required).")
    out.extend(extra or [])
    out.append("")
    out.append(
        "Conditions without an independence pair, and why (`tools/cert/mcdc_justified.toml`; one row per"
        " decision, so a justification of a test written at two lines has two rows and the conditions"
        " listed add up to the table's justified column):"
    )
    out.append("")
    out.append("| file | line | decision | condition | justification |")
    out.append("|---|---:|---|---|---|")
    used_given = used is not None
    if used is None:
        used = [[(0, list(e["conditions"]))] for e in justified]
    listed = 0
    for e, uses in zip(justified, used):
        dec = e["decision"].replace("|", "\\|")
        if not uses and e.get("race") and used_given:
            # a thread interleaving showed the pair in this run: listed, not counted
            conds = ", ".join(f"C{c}" for c in e["conditions"])
            why = e["why"] + " (This run's threads showed the pair.)"
            out.append(f"| `{e['file']}` | - | `{dec}` | {conds} | {why} |")
            continue
        for line, cs in uses or [(0, list(e["conditions"]))]:
            listed += len(cs)
            where = str(line) if line else "-"
            conds = ", ".join(f"C{c}" for c in cs)
            out.append(f"| `{e['file']}` | {where} | `{dec}` | {conds} | {e['why']} |")
    if used_given and all(u or e.get("race") for u, e in zip(used, justified)) and listed != tot[3]:
        raise SystemExit(f"MC/DC table counts {tot[3]} justified conditions but the list has {listed}")
    out.append("")
    out.append(END)
    return "\n".join(out)


def write_doc(doc: str, block: str) -> None:
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{doc}: markers {BEGIN} / {END} not found")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(doc, "w", encoding="utf-8") as f:
        f.write(head + block + tail)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("export", help="llvm-cov export -format=text JSON")
    ap.add_argument("--write-doc", metavar="DOC")
    ap.add_argument("--check", action="store_true", help="fail on an unjustified or stale entry")
    args = ap.parse_args(argv)
    with open(args.export, encoding="utf-8") as f:
        export = json.load(f)
    files = collect(export)
    justified = load_justified()
    rows, missing, stale = analyse(files, justified)
    for name, nd, nc, ncov, nj in rows:
        print(f"{name:24s} decisions {nd:3d} conditions {nc:3d} pairs {ncov:3d} justified {nj:3d}")
    if args.write_doc:
        write_doc(args.write_doc, render(rows, justified, None, matches(files, justified)))
    bad = 0
    for name, line, c, text in missing:
        print(f"MISSING (must be 100%): {name}:{line} C{c} of `{text}`")
    for e in stale:
        print(
            f"STALE justification (no such uncovered condition): {e['file']} `{e['decision']}` {e['conditions']}"
        )
    if args.check:
        bad = len(missing) + len(stale)
        if bad:
            print(
                f"MC/DC check FAILED: {len(missing)} unjustified condition(s) in the core, {len(stale)} stale justification(s)"
            )
            return 1
        print("MC/DC check OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
