#!/usr/bin/env python3
"""Traceability checker: requirements (docs/requirements.toml) -> public C functions and Python
API -> the tests that verify them.

    trace_check.py            check, print the findings, exit 1 on any
    trace_check.py --write    also rewrite the matrix in docs/certification.md
    trace_check.py --matrix   print the matrix (markdown) to stdout

Tests name the requirement IDs they verify: in pytest ``@pytest.mark.req("MON-REQ-...", ...)``
on a test function or class (or ``pytestmark = pytest.mark.req(...)`` for a whole module), in C
a comment ``/* REQ: MON-REQ-..., MON-REQ-... */`` just before the test function in
csrc/tests/*.c or csrc/fuzz/*.c. Both are read statically (ast / regex), so the check takes well
under a second and needs no build.

It fails when
  * a requirement is malformed (ID not ``MON-REQ-<AREA>-<NNN>``, duplicated, a field missing);
  * a requirement is verified by no test (its ``method`` says ``test``), or cites evidence of no
    existing file;
  * a test names an ID that is not in the file;
  * a requirement binds a C function that no public header declares, or a Python name that
    does not resolve;
  * a public C function (declared in a MON_CDEF block of a public csrc/ header) is bound by no
    requirement: the message lists them per header, so whoever adds a C unit adds their
    requirements;
and ``--write`` / the test in tests/cert/test_trace.py compare the committed matrix (between the
markers ``<!-- trace:begin -->`` / ``<!-- trace:end -->``) with a freshly generated one.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib
import os
import re
import sys

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ID_RE = re.compile(r"^MON-REQ-[A-Z0-9]+-\d{3}$")
ANY_ID_RE = re.compile(r"MON-REQ-[A-Za-z0-9_-]+")
C_TAG_RE = re.compile(r"/\*\s*REQ:\s*(.*?)\*/", re.S)
C_FUNC_RE = re.compile(r"^\s*(?:static\s+)?(?:inline\s+)?[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\(")
CDEF_RE = re.compile(r"/\*\s*MON_CDEF_BEGIN.*?\*/(.*?)/\*\s*MON_CDEF_END\s*\*/", re.S)
BEGIN, END = "<!-- trace:begin -->", "<!-- trace:end -->"
METHODS = {"test", "analysis", "inspection", "review"}
ALL = "*"  # in `c`: the requirement holds for every public C function
FIELDS = ("id", "title", "statement", "method")


@dataclasses.dataclass
class Tree:
    """Where the checker looks (a test points it at a synthetic tree)."""

    root: str = ROOT
    requirements: str = "docs/requirements.toml"
    doc: str = "docs/certification.md"
    headers: str = "csrc"
    py_tests: tuple[str, ...] = ("tests",)
    c_tests: tuple[str, ...] = ("csrc/tests", "csrc/fuzz")
    resolve_python: bool = True

    def path(self, rel: str) -> str:
        return os.path.join(self.root, rel)


@dataclasses.dataclass
class Result:
    requirements: list[dict[str, object]]
    tests: dict[str, list[str]]  # requirement ID -> test names
    public: dict[str, str]  # C function -> header
    errors: list[str]
    matrix: str


def _strip_c_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def public_c_functions(tree: Tree) -> dict[str, str]:
    """Every function declared in a MON_CDEF block of a public header (``*_internal.h`` are
    private), name -> header."""
    out: dict[str, str] = {}
    hdir = tree.path(tree.headers)
    for name in sorted(os.listdir(hdir)):
        if not name.endswith(".h") or name.endswith("_internal.h"):
            continue
        with open(os.path.join(hdir, name), encoding="utf-8") as f:
            text = f.read()
        for block in CDEF_RE.findall(text):
            body = _strip_c_comments(block)
            body = "\n".join(ln for ln in body.splitlines() if not ln.lstrip().startswith("#"))
            while True:  # drop struct/enum bodies (they hold no function declarations)
                new = re.sub(r"\{[^{}]*\}", " ", body)
                if new == body:
                    break
                body = new
            for stmt in body.split(";"):
                stmt = " ".join(stmt.split())
                if "(" not in stmt or stmt.startswith("typedef"):
                    continue
                m = re.match(r"^[\w\s\*]*?\b([A-Za-z_]\w*)\s*\(", stmt)
                if m:
                    out[m.group(1)] = f"{tree.headers}/{name}"
    return out


def _ids_of_mark(node: ast.AST) -> list[str] | None:
    """IDs of a ``pytest.mark.req(...)`` call (or ``mark.req``), else None."""
    if not isinstance(node, ast.Call):
        return None
    f = node.func
    if not (isinstance(f, ast.Attribute) and f.attr == "req"):
        return None
    ids = []
    for a in node.args:
        if isinstance(a, ast.Constant) and isinstance(a.value, str):
            ids.append(a.value)
        else:
            ids.append(f"<not a string literal: {ast.unparse(a)}>")
    return ids


def py_test_tags(tree: Tree) -> list[tuple[str, str]]:
    """(ID, test name) for every req marker in the pytest files."""
    tags: list[tuple[str, str]] = []
    for top in tree.py_tests:
        for dirpath, dirnames, files in os.walk(tree.path(top)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            for fn in sorted(files):
                if not fn.endswith(".py"):
                    continue
                full = os.path.join(dirpath, fn)
                rel = os.path.relpath(full, tree.root).replace(os.sep, "/")
                with open(full, encoding="utf-8") as f:
                    mod = ast.parse(f.read(), filename=rel)
                for stmt in mod.body:
                    if isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
                    ):
                        vals = (
                            stmt.value.elts if isinstance(stmt.value, (ast.List, ast.Tuple)) else [stmt.value]
                        )
                        for v in vals:
                            for i in _ids_of_mark(v) or []:
                                tags.append((i, rel))
                _walk_defs(mod.body, rel, "", tags)
    return tags


def _walk_defs(body: list[ast.stmt], rel: str, prefix: str, tags: list[tuple[str, str]]) -> None:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{rel}::{prefix}{node.name}"
            for d in node.decorator_list:
                for i in _ids_of_mark(d) or []:
                    tags.append((i, name))
            if isinstance(node, ast.ClassDef):
                _walk_defs(node.body, rel, f"{prefix}{node.name}::", tags)


def c_test_tags(tree: Tree) -> list[tuple[str, str]]:
    """(ID, "file:function") for every ``/* REQ: ... */`` comment in the C tests: the function
    is the first definition that starts after the comment."""
    tags: list[tuple[str, str]] = []
    for top in tree.c_tests:
        d = tree.path(top)
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".c"):
                continue
            rel = f"{top}/{fn}"
            with open(os.path.join(d, fn), encoding="utf-8") as f:
                text = f.read()
            for m in C_TAG_RE.finditer(text):
                func = "?"
                for line in text[m.end() :].splitlines():
                    fm = C_FUNC_RE.match(line)
                    if fm and not line.rstrip().endswith(";"):
                        func = fm.group(1)
                        break
                for i in re.split(r"[\s,]+", m.group(1).strip()):
                    if i:
                        tags.append((i, f"{rel}:{func}"))
    return tags


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        try:
            for p in parts[k:]:
                obj = getattr(obj, p)
        except AttributeError:
            return False
        return True
    return False


def _fmt_list(items: list[str]) -> str:
    if not items:
        return "-"
    return ", ".join(i if " " in i else f"`{i}`" for i in items)


def render_matrix(reqs: list[dict[str, object]], tests: dict[str, list[str]], public: dict[str, str]) -> str:
    areas: dict[str, int] = {}
    for r in reqs:
        area = str(r["id"]).split("-")[2]
        areas[area] = areas.get(area, 0) + 1
    ntests = len({t for ts in tests.values() for t in ts})
    lines = [
        "Generated by `python tools/cert/trace_check.py --write` from `docs/requirements.toml`"
        " and the `req` markers / `REQ:` tags of the tests; `tests/cert/test_trace.py` fails"
        " when this table is stale.",
        "",
        f"{len(reqs)} requirements in {len(areas)} areas ("
        + ", ".join(f"{a} {n}" for a, n in areas.items())
        + f"); {len(public)} public C functions, each bound by at least one requirement;"
        f" {ntests} tests name a requirement.",
        "",
        "| requirement | C functions | Python API | method | verified by |",
        "|---|---|---|---|---|",
    ]
    for r in reqs:
        rid = str(r["id"])
        c = ["all public functions" if fn == ALL else fn for fn in r.get("c", [])]  # type: ignore[attr-defined]
        py = list(r.get("python", []))  # type: ignore[call-overload]
        ev = list(r.get("evidence", []))  # type: ignore[call-overload]
        verified = [f"`{t}`" for t in tests.get(rid, [])] + [f"{e} (evidence)" for e in ev]
        lines.append(
            f"| **{rid}** {r.get('title', '')} | {_fmt_list(c)} | {_fmt_list(py)} | "
            f"{', '.join(r.get('method', []))} | {'<br>'.join(verified) or '-'} |"  # type: ignore[arg-type]
        )
    return "\n".join(lines) + "\n"


def analyse(tree: Tree | None = None) -> Result:
    tree = tree or Tree()
    errors: list[str] = []
    with open(tree.path(tree.requirements), "rb") as f:
        data = tomllib.load(f)
    reqs: list[dict[str, object]] = list(data.get("requirement", []))
    public = public_c_functions(tree)
    known: dict[str, dict[str, object]] = {}
    for k, r in enumerate(reqs):
        rid = r.get("id", f"<requirement #{k + 1}>")
        missing = [fld for fld in FIELDS if not r.get(fld)]
        if missing:
            errors.append(f"{rid}: missing field(s) {', '.join(missing)}")
        if not isinstance(rid, str) or not ID_RE.match(rid):
            errors.append(f"{rid}: ID must match MON-REQ-<AREA>-<NNN> (e.g. MON-REQ-DRIFT-001)")
        elif rid in known:
            errors.append(f"{rid}: duplicate ID")
        else:
            known[rid] = r
        bad = [m for m in r.get("method", []) if m not in METHODS]  # type: ignore[attr-defined]
        if bad:
            errors.append(f"{rid}: unknown verification method(s) {bad}; expected {sorted(METHODS)}")
        if not r.get("c") and not r.get("python"):
            errors.append(f"{rid}: binds no C function and no Python API (fields c / python)")
        for fn in r.get("c", []):  # type: ignore[attr-defined]
            if fn != ALL and fn not in public:
                errors.append(f"{rid}: binds C function {fn}, which no public header declares")
        if tree.resolve_python:
            for name in r.get("python", []):  # type: ignore[attr-defined]
                if not _resolves(name):
                    errors.append(f"{rid}: binds Python name {name}, which does not resolve")
        for e in r.get("evidence", []):  # type: ignore[attr-defined]
            if not os.path.exists(tree.path(str(e).split()[0].split("::")[0])):
                errors.append(f"{rid}: evidence {e} names no existing file")

    tests: dict[str, list[str]] = {rid: [] for rid in known}
    for rid, test in py_test_tags(tree) + c_test_tags(tree):
        if test.endswith(":?"):
            errors.append(f"{test[:-2]}: a REQ tag for {rid} is followed by no function definition")
            continue
        if rid not in known:
            errors.append(f"{test} names unknown requirement {rid!r} (not in {tree.requirements})")
            continue
        if test not in tests[rid]:
            tests[rid].append(test)
    for rid, r in known.items():
        if "test" in r.get("method", []) and not tests[rid]:  # type: ignore[operator]
            errors.append(
                f"{rid}: verified by no test (add @pytest.mark.req({rid!r}) to a pytest test"
                f" or /* REQ: {rid} */ before a C test function)"
            )

    # "*" (a rule of the whole core) binds no function in particular: it does not count here
    bound = {fn for r in known.values() for fn in r.get("c", []) if fn != ALL}  # type: ignore[attr-defined]
    unbound: dict[str, list[str]] = {}
    for fn, hdr in public.items():
        if fn not in bound:
            unbound.setdefault(hdr, []).append(fn)
    if unbound:
        n = sum(len(v) for v in unbound.values())
        msg = [
            f"{n} public C function(s) bound by no requirement (add them to the `c` list of a requirement in {tree.requirements}, or a new requirement):"
        ]
        for hdr, fns in sorted(unbound.items()):
            msg.append(f"    {hdr}: {', '.join(fns)}")
        errors.append("\n".join(msg))
    return Result(reqs, tests, public, errors, render_matrix(reqs, tests, public))


def doc_matrix(tree: Tree) -> str | None:
    with open(tree.path(tree.doc), encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def write_matrix(tree: Tree, matrix: str) -> None:
    path = tree.path(tree.doc)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{head}{BEGIN}\n\n{matrix}\n{END}{tail}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the matrix in the doc")
    ap.add_argument("--matrix", action="store_true", help="print the matrix")
    a = ap.parse_args()
    tree = Tree()
    res = analyse(tree)
    if a.matrix:
        print(res.matrix, end="")
        return 0
    if a.write:
        write_matrix(tree, res.matrix)
    elif (doc_matrix(tree) or "").strip() != res.matrix.strip():
        res.errors.append(f"the matrix in {tree.doc} is stale: run python tools/cert/trace_check.py --write")
    for e in res.errors:
        print("TRACE:", e, file=sys.stderr)
    ntests = len({t for ts in res.tests.values() for t in ts})
    print(
        f"{len(res.requirements)} requirements, {len(res.public)} public C functions, {ntests} tagged tests,"
        f" {len(res.errors)} finding(s)"
    )
    return 1 if res.errors else 0


if __name__ == "__main__":
    sys.exit(main())
