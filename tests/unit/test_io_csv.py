"""CSV read in large blocks cut at record ends (monitor.io.csv_blocks): for every block size, the
columns equal pandas' reading of the whole file, whatever the file's quoting (quoted line ends),
line ends (CRLF, CR, none at the end), BOM, null markers and compression; errors name the
absolute line; the read-ahead thread stops when the caller stops."""

from __future__ import annotations

import gzip
import io
import threading
from typing import Any

import numpy as np
import pandas as pd
import pytest

import monitor.io.csv_blocks as csv_blocks
import monitor.io.readers as readers
from monitor.errors import InvalidArgumentError
from monitor.io import open_table

SIZES = [7, 40, 301, 1 << 20]  # smaller than a record, a few records, many, the whole file


def _read(path: str, size: int, monkeypatch: Any) -> dict[str, Any]:
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", size)
    src = open_table(path, "csv")
    parts: dict[str, list[Any]] = {n: [] for n in src.names}
    row = 0
    for start, batch in src.batches():
        assert start == row
        for n in src.names:
            parts[n].append(batch[n])
        row += len(batch[src.names[0]])
    return {n: np.concatenate(v) if v else np.array([]) for n, v in parts.items()}


def _same(got: dict[str, Any], want: pd.DataFrame) -> None:
    assert list(got) == list(want.columns)
    for n in want.columns:
        w = want[n].to_numpy()
        if w.dtype.kind == "f":
            np.testing.assert_array_equal(got[n], w)
        else:
            assert [None if v is None or v != v else v for v in got[n]] == [
                None if v is None or v != v else v for v in w
            ], n


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=n)
    x[::7] = np.nan
    text = rng.choice(["plain", 'say "hi"', "two\nlines", "comma, inside", "crlf\r\nin"], n)
    return pd.DataFrame({"x": x, "note": text, "k": rng.integers(0, 5, n).astype(np.float64)})


@pytest.mark.parametrize("size", SIZES)
def test_quoted_line_ends_commas_and_quotes_in_fields(tmp_path: Any, monkeypatch: Any, size: int) -> None:
    df = _frame(400)
    path = str(tmp_path / "q.csv")
    df.to_csv(path, index=False)  # RFC 4180 quoting: the multi-line notes quoted, quotes doubled
    assert b'"two\nlines"' in open(path, "rb").read()
    _same(_read(path, size, monkeypatch), pd.read_csv(path))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "text",
    [
        "a,b\r\n1,2\r\n3,\r\n5,6\r\n",  # CRLF, an empty field
        "a,b\n1,2\n3,4\n5,6",  # no final line end
        "\ufeffa,b\n1,NA\nnull,4\n,6\n",  # BOM, null markers
        "a,b\r1,2\r3,4\r",  # CR line ends only
        "a,b\n1,2\n\n3,4\n",  # an empty line (skipped, as pandas does)
    ],
)
def test_line_ends_bom_and_nulls(tmp_path: Any, monkeypatch: Any, size: int, text: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode())
    got = _read(str(path), size, monkeypatch)
    assert list(got) == ["a", "b"]
    _same(got, pd.read_csv(io.BytesIO(text.encode()), encoding="utf-8-sig"))


def test_record_blocks_are_whole_records_and_add_up_to_the_file() -> None:
    data = _frame(300).to_csv(index=False).encode()
    for size in (1, 13, 500):
        blocks = [(bytes(b), q) for b, q in csv_blocks.record_blocks(io.BytesIO(data), size)]
        assert b"".join(b for b, _ in blocks) == data
        for b, quoted in blocks:
            assert quoted == (b'"' in b)
            assert b.count(b'"') % 2 == 0  # no block ends inside a quoted field
        assert all(b.endswith(b"\n") for b, _ in blocks)


def test_a_stray_quote_does_not_grow_the_block_past_the_cap(monkeypatch: Any) -> None:
    # '5"' is a literal to pyarrow and pandas; it makes the quote parity odd for every later line
    data = b'a,b\n1,5"\n' + b"2,3\n" * 5000
    monkeypatch.setattr(csv_blocks, "MAX_BLOCK_BYTES", 400)
    sizes = [len(b) for b, _ in csv_blocks.record_blocks(io.BytesIO(data), 100)]
    assert sum(sizes) == len(data) and max(sizes) <= 400 + 100


@pytest.mark.parametrize("size", [50, 1 << 20])
def test_gzip_is_read_in_blocks_too(tmp_path: Any, monkeypatch: Any, size: int) -> None:
    df = _frame(200)
    path = str(tmp_path / "c.csv.gz")
    with gzip.open(path, "wt", newline="") as fh:
        df.to_csv(fh, index=False)
    _same(_read(path, size, monkeypatch), pd.read_csv(path))


def _error(path: str, size: int, monkeypatch: Any) -> str:
    with pytest.raises(InvalidArgumentError) as info:
        _read(path, size, monkeypatch)
    return str(info.value)


@pytest.mark.parametrize("size", [4096, 1 << 20])
def test_errors_name_the_absolute_line(tmp_path: Any, monkeypatch: Any, size: int) -> None:
    rows = "".join(f"{i}.5,{i}\n" for i in range(2000))
    ragged = tmp_path / "r.csv"
    ragged.write_text("a,b\n" + rows + "1,2,3\n" + rows)
    assert "line 2002: ragged row, 3 fields" in _error(str(ragged), size, monkeypatch)
    monkeypatch.setattr(csv_blocks, "INFER_BYTES", 1000)  # the types come from the first 1000 bytes
    late = tmp_path / "l.csv"  # numeric there, then text: the type does not change
    late.write_text("a,b\n" + rows * 3 + "x,1\n")
    msg = _error(str(late), size, monkeypatch)
    assert "line 6002 (data row 6001)" in msg and "'x'" in msg and "'a'" in msg
    empty = tmp_path / "e.csv"
    empty.write_text("")
    assert "Empty CSV file" in _error(str(empty), size, monkeypatch)


def test_header_only_and_early_stop(tmp_path: Any, monkeypatch: Any) -> None:
    head = tmp_path / "h.csv"
    head.write_text("a,b\n")
    assert open_table(str(head)).names == ["a", "b"] and list(open_table(str(head)).batches()) == []
    big = tmp_path / "b.csv"
    big.write_text("a,b\n" + "1,2\n" * 20000)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 100)
    before = threading.active_count()
    it = open_table(str(big)).batches()
    assert next(it)[0] == 0
    it.close()  # the caller stops: the read-ahead thread is joined
    assert threading.active_count() == before
