#!/usr/bin/env python3
"""Bare-metal evidence for the C core, from an arm-none-eabi build directory
(``make -C csrc baremetal``: every csrc/*.c compiled with -ffreestanding -fstack-usage
-fcallgraph-info=su).

1. Symbol check: every symbol the objects reference but do not define must be one of
   memcpy/memset/memmove/memcmp or a libgcc helper (__aeabi_*, soft-float and 64-bit integer
   helpers); any allocator, stdio or libm symbol - or anything unknown - fails.
2. Code size per module (text / data / bss of each object, arm-none-eabi-size).
3. Worst-case stack per public function (mon_*): own frame (.su) plus the deepest chain of
   callees through the call graph (.ci) across modules. Recursion or a dynamic frame fails.
   External helpers (mem*, libgcc) are leaves whose own frames are not included: they are
   listed per function.

    baremetal_report.py [--cpu NAME --flags "..."] BUILD_DIR        check + print, write report.json
    baremetal_report.py --write-doc docs/certification.md DIR...    rewrite the doc's table
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
from typing import Any

NM = os.environ.get("BM_NM", "arm-none-eabi-nm")
SIZE = os.environ.get("BM_SIZE", "arm-none-eabi-size")

FORBIDDEN = re.compile(
    r"^(malloc|calloc|realloc|free|aligned_alloc|posix_memalign|_sbrk|sbrk"
    r"|printf|fprintf|sprintf|snprintf|vprintf|vfprintf|vsnprintf|puts|putchar|fputs|fputc"
    r"|fopen|fclose|fread|fwrite|fflush|stdout|stderr|stdin|_impure_ptr|__errno|errno"
    r"|abort|exit|_exit|assert|__assert_func"
    r"|(log|log2|log10|log1p|exp|exp2|expm1|sqrt|cbrt|pow|fabs|floor|ceil|round|lround|llround"
    r"|trunc|rint|lrint|nearbyint|frexp|ldexp|modf|fmod|remainder|hypot|sin|cos|tan|atan|atan2"
    r"|isnan|isinf|nan)[fl]?)$"
)
ALLOWED = re.compile(
    r"^(memcpy|memset|memmove|memcmp"
    r"|__aeabi_\w+|__gnu_thumb1_case_\w+"
    r"|__(u?(div|mod|mul)|udivmod|divmod|ashl|ashr|lshr|clz|ctz|popcount|ffs|bswap|u?cmp|neg)[sdt]i[234]"
    r"|__(add|sub|mul|div|neg|cmp|unord|eq|ne|lt|le|gt|ge)[sdt]f3|__(cmp|unord|eq|ne|lt|le|gt|ge)[sdt]f2"
    r"|__(fix|fixuns)[sdt]f[sdt]i|__float(un)?[sdt]i[sdt]f|__extend[sdt]f[sdt]f2|__trunc[sdt]f[sdt]f2)$"
)


# Direct self-recursion whose depth is bounded by an argument, checked by reading the code:
# function -> (maximum number of frames on the stack at once, why). Any other recursion fails.
# Empty: the core has no recursion at all (mon_select_ranks' introselect became iterative; the
# whole call graph is checked for cycles by tools/cert/callgraph_check.py).
RECURSION_BOUNDS: dict[str, tuple[int, str]] = {}


def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def symbols(objs: list[str]) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """Per object: undefined, global defined (text), all defined symbols."""
    undef: dict[str, set[str]] = {}
    gdef: dict[str, set[str]] = {}
    adef: dict[str, set[str]] = {}
    for o in objs:
        u, g, a = set(), set(), set()
        for line in _run([NM, o]).splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "U":
                u.add(parts[1])
            elif len(parts) == 3:
                a.add(parts[2])
                if parts[1].isupper():
                    g.add(parts[2])
        undef[o], gdef[o], adef[o] = u, g, a
    return undef, gdef, adef


def sizes(objs: list[str]) -> dict[str, dict[str, int]]:
    out = {}
    for o in objs:
        lines = _run([SIZE, o]).splitlines()
        text, data, bss = (int(x) for x in lines[1].split()[:3])
        out[os.path.basename(o)[:-2]] = {"text": text, "data": data, "bss": bss}
    return out


_NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
_EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
_FRAME = re.compile(r"\\n(\d+) bytes \(([a-z, ]+)\)")


def callgraph(build: str) -> tuple[dict[tuple[str, str], tuple[int, str]], dict[tuple[str, str], list[str]]]:
    """Defined functions (file, name) -> (frame bytes, qualifier); edges from each."""
    frames: dict[tuple[str, str], tuple[int, str]] = {}
    edges: dict[tuple[str, str], list[str]] = {}
    for ci in sorted(glob.glob(os.path.join(build, "*.ci"))):
        mod = os.path.basename(ci)[:-3]
        with open(ci, encoding="utf-8") as fh:
            text = fh.read()
        for title, label in _NODE.findall(text):
            m = _FRAME.search(label)
            if m:
                frames[(mod, title)] = (int(m.group(1)), m.group(2))
        for src, dst in _EDGE.findall(text):
            edges.setdefault((mod, src), []).append(dst)
    return frames, edges


def worst_stack(
    frames: dict[tuple[str, str], tuple[int, str]],
    edges: dict[tuple[str, str], list[str]],
    globals_by_name: dict[str, str],
) -> dict[tuple[str, str], tuple[float, set[str], list[str]]]:
    """(file, fn) -> (worst-case bytes or inf, external leaves reached, deepest path)."""
    memo: dict[tuple[str, str], tuple[float, set[str], list[str]]] = {}
    active: set[tuple[str, str]] = set()

    def resolve(mod: str, name: str) -> tuple[str, str] | None:
        if (mod, name) in frames:
            return (mod, name)
        g = globals_by_name.get(name)
        return (g, name) if g is not None and (g, name) in frames else None

    def visit(key: tuple[str, str]) -> tuple[float, set[str], list[str]]:
        if key in memo:
            return memo[key]
        if key in active:
            return (float("inf"), set(), [f"recursion at {key[1]}"])
        active.add(key)
        own, qual = frames[key]
        bounded = RECURSION_BOUNDS.get(key[1].split(":")[-1])  # static: "file.c:name"
        best: float = 0
        best_path: list[str] = []
        ext: set[str] = set()
        for dst in edges.get(key, []):
            k = resolve(key[0], dst)
            if k is None:
                ext.add(dst)
                continue
            if bounded is not None and k == key:
                continue  # accounted for below: own frame times the bounded depth
            w, e, p = visit(k)
            ext |= e
            if w > best:
                best, best_path = w, p
        frames_on_stack = bounded[0] if bounded is not None else 1
        total: float = (
            own * frames_on_stack + best if qual == "static" or qual == "dynamic,bounded" else float("inf")
        )
        active.discard(key)
        name = key[1] if bounded is None else f"{key[1]} (x{bounded[0]}, bounded recursion)"
        memo[key] = (total, ext, [name] + best_path)
        return memo[key]

    for k in frames:
        visit(k)
    return memo


def analyse(build: str, cpu: str, flags: str) -> tuple[dict[str, Any], list[str]]:
    objs = sorted(o for o in glob.glob(os.path.join(build, "*.o")))
    if not objs:
        raise SystemExit(f"{build}: no objects (run make -C csrc baremetal)")
    undef, gdef, adef = symbols(objs)
    all_gdef = set().union(*gdef.values())
    external = sorted(set().union(*undef.values()) - all_gdef)
    errors = []
    forbidden = [s for s in external if FORBIDDEN.match(s)]
    unknown = [s for s in external if not FORBIDDEN.match(s) and not ALLOWED.match(s)]
    if forbidden:
        errors.append(f"forbidden symbols referenced: {', '.join(forbidden)}")
    if unknown:
        errors.append(f"unexpected external symbols (not mem*/libgcc): {', '.join(unknown)}")
    globals_by_name = {s: os.path.basename(o)[:-2] for o in objs for s in gdef[o]}
    frames, edges = callgraph(build)
    worst = worst_stack(frames, edges, globals_by_name)
    public = []
    for (mod, fn), (w, ext, path) in sorted(worst.items()):
        if fn.startswith("mon_") and fn in globals_by_name:
            if w == float("inf"):
                errors.append(f"{fn}: unbounded stack ({' -> '.join(path)})")
            public.append(
                {
                    "function": fn,
                    "module": mod,
                    "frame": frames[(mod, fn)][0],
                    "worst": None if w == float("inf") else int(w),
                    "path": path,
                    "external": sorted(ext),
                }
            )
    report = {
        "cpu": cpu,
        "flags": flags,
        "sizes": sizes(objs),
        "external": external,
        "public": public,
        "errors": errors,
    }
    return report, errors


def print_report(r: dict[str, Any]) -> None:
    print(f"== bare metal {r['cpu']}: {r['flags']}")
    print("external symbols:", ", ".join(r["external"]) or "(none)")
    tot = {"text": 0, "data": 0, "bss": 0}
    for mod, s in r["sizes"].items():
        print(f"  size {mod:<20} text {s['text']:>6}  data {s['data']:>4}  bss {s['bss']:>4}")
        for k in tot:
            tot[k] += s[k]
    print(f"  size {'TOTAL':<20} text {tot['text']:>6}  data {tot['data']:>4}  bss {tot['bss']:>4}")
    for p in r["public"]:
        ext = f"  (+ {', '.join(p['external'])})" if p["external"] else ""
        print(f"  stack {p['function']:<36} {p['worst']!s:>5} bytes{ext}")
    print("symbol check:", "FAILED" if r["errors"] else "OK (no malloc/free/stdio/libm)")
    for e in r["errors"]:
        print("  ERROR:", e)


BEGIN, END = "<!-- baremetal:begin -->", "<!-- baremetal:end -->"


def render_doc(reports: list[dict[str, Any]]) -> str:
    cpus = [r["cpu"] for r in reports]
    out = [BEGIN, "", "Generated by `make -C csrc baremetal-doc` (tools/cert/baremetal_report.py).", ""]
    cpu_flags = [r["flags"].split(" -std", 1)[0] for r in reports]
    out.append(
        "Flags: "
        + " / ".join(f"`{f}`" for f in cpu_flags)
        + ", then `"
        + "-std"
        + reports[0]["flags"].split(" -std", 1)[-1]
        + "`."
    )
    out.append("")
    out.append("External symbols referenced (all allowed: mem* and libgcc helpers): ")
    for r in reports:
        out.append(f"- {r['cpu']}: " + (", ".join(f"`{s}`" for s in r["external"]) or "none"))
    out.append("")
    out.append("Code size per module, bytes (text / data / bss):")
    out.append("")
    out.append("| module | " + " | ".join(cpus) + " |")
    out.append("|---|" + "---|" * len(cpus))
    mods = sorted(set().union(*(r["sizes"].keys() for r in reports)))
    for m in mods + ["**total**"]:
        cells = []
        for r in reports:
            if m == "**total**":
                s = {k: sum(v[k] for v in r["sizes"].values()) for k in ("text", "data", "bss")}
            else:
                s = r["sizes"].get(m)
            cells.append(f"{s['text']} / {s['data']} / {s['bss']}" if s else "-")
        out.append(f"| {m} | " + " | ".join(cells) + " |")
    out.append("")
    out.append(
        "Worst-case stack per public function, bytes (own frame + deepest callee chain; "
        "calls into mem*/libgcc helpers listed, their frames not included):"
    )
    out.append("")
    out.append("| function | module | " + " | ".join(cpus) + " | helpers called |")
    out.append("|---|---|" + "---|" * len(cpus) + "---|")
    fns = sorted({(p["module"], p["function"]) for r in reports for p in r["public"]})
    for mod, fn in fns:
        cells, helpers = [], set()
        for r in reports:
            p = next((p for p in r["public"] if p["function"] == fn), None)
            cells.append(str(p["worst"]) if p else "-")
            if p:
                helpers |= set(p["external"])
        out.append(
            f"| `{fn}` | {mod} | " + " | ".join(cells) + " | " + (", ".join(sorted(helpers)) or "-") + " |"
        )
    out.append("")
    used = sorted(
        {
            n.split(" ")[0].split(":")[-1]
            for r in reports
            for p in r["public"]
            for n in p["path"]
            if "bounded recursion" in n
        }
    )
    for fn in used:
        out.append(
            f"Bounded recursion counted in these figures: `{fn}` x{RECURSION_BOUNDS[fn][0]} "
            f"frames ({RECURSION_BOUNDS[fn][1]})."
        )
        out.append("")
    out.append(END)
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--cpu", default="")
    ap.add_argument("--flags", default="")
    ap.add_argument("--write-doc")
    a = ap.parse_args()
    if a.write_doc:
        reports = []
        for d in a.dirs:
            with open(os.path.join(d, "report.json"), encoding="utf-8") as fh:
                reports.append(json.load(fh))
        with open(a.write_doc, encoding="utf-8") as fh:
            doc = fh.read()
        if BEGIN not in doc or END not in doc:
            raise SystemExit(f"{a.write_doc}: markers {BEGIN} / {END} not found")
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        with open(a.write_doc, "w", encoding="utf-8") as fh:
            fh.write(head + render_doc(reports) + tail)
        print(f"updated {a.write_doc}")
        return 0
    rc = 0
    for d in a.dirs:
        report, errors = analyse(d, a.cpu or os.path.basename(d), a.flags)
        with open(os.path.join(d, "report.json"), "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1)
        print_report(report)
        rc |= 1 if errors else 0
    return rc


if __name__ == "__main__":
    sys.exit(main())
