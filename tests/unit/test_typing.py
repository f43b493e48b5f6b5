"""The public API is typed (py.typed) and mypy --strict clean."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from oracles import ROOT


def test_mypy_strict_clean() -> None:
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            os.path.join(ROOT, "pyproject.toml"),
            os.path.join(ROOT, "monitor"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
