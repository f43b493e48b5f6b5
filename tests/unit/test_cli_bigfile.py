"""`monitor drift` on a large CSV generated on the fly: peak memory (RSS) stays bounded, it does not
grow with the file. The size is ``MONITOR_BIGFILE_BYTES`` (default 64 MB, a few seconds; the
issue's 2 GB run is ``MONITOR_BIGFILE_BYTES=2000000000``, measured in the branch's note)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import monitor

SIZE = int(os.environ.get("MONITOR_BIGFILE_BYTES", str(64 << 20)))
COLUMNS = [f"x{i}" for i in range(10)]


def _chunk(rows: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, len(COLUMNS))) * np.arange(1, 11)
    return "".join(",".join(f"{v:.6g}" for v in r) + "\n" for r in x.tolist()).encode()


def _write(path: str, size: int) -> int:
    """A CSV of at least ``size`` bytes: the header then 8 distinct 20,000-row blocks, repeated."""
    blocks = [_chunk(20_000, s) for s in range(8)]
    written = rows = 0
    with open(path, "wb") as fh:
        fh.write((",".join(COLUMNS) + "\n").encode())
        while written < size:
            b = blocks[(rows // 20_000) % 8]
            fh.write(b)
            written += len(b)
            rows += 20_000
    return rows


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(monitor.__file__))))


def _peak_rss_mb(tmp: Any, *args: str) -> tuple[float, int, str]:
    """Run ``python -m monitor ARGS``; (its own peak RSS in MB from os.wait4, status, stderr)."""
    with open(tmp / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=_env(),
            cwd=str(tmp),  # not the repository root: its source tree would shadow the installed package
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, proc.returncode, (tmp / "stderr.txt").read_text()


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_file(tmp_path: Any) -> None:
    small, big = str(tmp_path / "small.csv"), str(tmp_path / "big.csv")
    _write(small, 1)  # one block: 20,000 rows
    ref = str(tmp_path / "ref.json")
    fit = subprocess.run(
        [sys.executable, "-m", "monitor", "fit", small, "-o", ref, "-q"],
        capture_output=True,
        env=_env(),
        cwd=str(tmp_path),  # not the repository root (its source tree would shadow the package)
    )
    assert fit.returncode == 0, fit.stderr
    small_mb, rc, err = _peak_rss_mb(tmp_path, "drift", ref, small, "-q", "--json", str(tmp_path / "s.json"))
    assert rc == 0, err
    rows = _write(big, SIZE)
    big_mb, rc, err = _peak_rss_mb(tmp_path, "drift", ref, big, "-q", "--json", str(tmp_path / "b.json"))
    os.unlink(big)
    assert rc == 0, err
    import json

    doc = json.load(open(tmp_path / "b.json"))
    assert doc["current"]["rows"] == rows
    print(
        f"\n{SIZE / 1e6:.0f} MB CSV, {rows:,} rows: peak RSS {big_mb:.0f} MB (20,000-row file: {small_mb:.0f} MB)"
    )
    assert big_mb < small_mb + 150, (big_mb, small_mb)  # 2 GB, 23 M rows, 8 MB CSV blocks: +96 MB measured
