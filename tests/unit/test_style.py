"""One Python style, written down in pyproject.toml ([tool.ruff]) and checked here: the lint
rules and the formatter over every Python file of the project (``make lint`` runs the same, plus
clang-format for the C code and mypy)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from oracles import ROOT

PATHS = ["monitor", "tests", "tools", "benchmarks"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("ruff")
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_ruff_lint_clean() -> None:
    proc = _ruff("check", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_clean() -> None:
    proc = _ruff("format", "--check", "--no-cache")
    assert proc.returncode == 0, "run `make format`:\n" + proc.stdout + proc.stderr
