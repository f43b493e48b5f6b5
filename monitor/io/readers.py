"""Reading the user's tabular files in batches: CSV, Parquet, Arrow IPC / Feather, JSON Lines,
NPY and NPZ.

:func:`open_table` picks the reader by extension (``format=`` overrides it) and returns a
:class:`TableSource`: its column :attr:`~TableSource.names` and :meth:`~TableSource.batches`,
an iterator of ``(first_row, {name: numpy column})`` over the file. Memory is bounded by the
batch size, never by the file: CSV is parsed in 16 MB blocks cut at record ends, each by
pyarrow's multi-threaded ``read_csv`` (:mod:`monitor.io.csv_blocks`), JSON Lines block by block
(pyarrow's streaming reader), Parquet row group by row group, Arrow IPC files are memory-mapped and read batch by
batch, NPY is memory-mapped (``np.load(mmap_mode="r")``) and sliced. NPZ members are zip
entries and cannot be mapped: each member is read whole (use NPY for files larger than memory).

Every format but NPY / NPZ needs pyarrow, the optional extra ``pip install 'monitor[io]'``; the
error says so when it is missing. Column types are fixed before reading so that a file's later
blocks cannot change them: numeric columns (integer, float, boolean, all-empty) are read as
float64 (empty fields and ``NA``/``null`` as NaN), everything else as strings. Reading errors
are :class:`~monitor.errors.InvalidArgumentError` naming the file and, for CSV, the line of a
ragged row or of a value that is not a number.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import InvalidArgumentError
from ..tabular import named_columns
from .csv_blocks import BLOCK_BYTES, csv_tables, first_block, parse_options

__all__ = ["FORMATS", "TableSource", "open_table", "format_of", "IO_EXTRA_HINT"]

#: Accepted ``format=`` values.
FORMATS = ("csv", "parquet", "arrow", "jsonl", "npy", "npz")
_EXTENSIONS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".csv.bz2": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".npy": "npy",
    ".npz": "npz",
}
IO_EXTRA_HINT = "pip install 'monitor[io]'"
BATCH_ROWS = 65_536
#: Columnar files (Parquet, Arrow, NPY) are read in batches of about this many bytes of values
#: (at least BATCH_ROWS rows, at most 1 Mi): fewer, larger batches cost less per row.
BATCH_BYTES = 16 << 20
#: CSV text parsed per block (monitor.io.csv_blocks: one multi-threaded read_csv per block).
CSV_BLOCK_BYTES = BLOCK_BYTES
Batch = dict[str, npt.NDArray[Any]]


def batch_rows(columns: int) -> int:
    """Rows per batch of a columnar file read with ``columns`` columns (see BATCH_BYTES)."""
    return max(BATCH_ROWS, min(1 << 20, BATCH_BYTES // (8 * max(1, columns))))


def format_of(path: str, format: str | None = None) -> str:
    """The reader for ``path``: ``format`` when given, else from the extension."""
    if format is not None:
        if format not in FORMATS:
            raise InvalidArgumentError(f"unknown --format {format!r}; expected one of {', '.join(FORMATS)}")
        return format
    low = path.lower()
    for ext in sorted(_EXTENSIONS, key=len, reverse=True):
        if low.endswith(ext):
            return _EXTENSIONS[ext]
    raise InvalidArgumentError(
        f"{path}: cannot tell the format from the extension; expected one of "
        f"{', '.join(sorted(_EXTENSIONS))}, or give --format ({', '.join(FORMATS)})"
    )


def _pyarrow(what: str) -> Any:
    try:
        import pyarrow
    except ModuleNotFoundError:
        raise InvalidArgumentError(
            f"reading {what} files needs pyarrow, the optional extra: {IO_EXTRA_HINT} "
            "(NPY and NPZ files need nothing beyond numpy)"
        ) from None
    return pyarrow


@dataclass
class TableSource:
    """An opened file: its format, column names and (when the format knows it) row count."""

    path: str
    format: str
    names: list[str]
    rows: int | None = None
    _opener: Any = field(default=None, repr=False)

    def batches(self, columns: Sequence[str] | None = None) -> Iterator[tuple[int, Batch]]:
        """``(first_row, {name: column})`` for every batch, in file order (0-based rows), with
        the ``columns`` asked for (default: all). Numeric columns are float64, others object
        arrays of str (missing values None)."""
        want = list(self.names if columns is None else columns)
        missing = [c for c in want if c not in self.names]
        if missing:
            raise InvalidArgumentError(f"{self.path}: no column {missing!r}; the file has {self.names!r}")
        yield from self._opener(want)


def open_table(path: str | os.PathLike[str], format: str | None = None) -> TableSource:
    """Open ``path`` for batched reading (see the module doc)."""
    p = os.fspath(path)
    fmt = format_of(p, format)
    if not os.path.exists(p):
        raise InvalidArgumentError(f"{p}: no such file")
    if os.path.isdir(p):
        raise InvalidArgumentError(f"{p}: is a directory, expected a {fmt} file")
    opener = {
        "csv": _open_csv,
        "jsonl": _open_jsonl,
        "parquet": _open_parquet,
        "arrow": _open_arrow,
        "npy": _open_npy,
        "npz": _open_npz,
    }[fmt]
    try:
        return opener(p)
    except InvalidArgumentError:
        raise
    except Exception as exc:  # the readers' own errors (pyarrow, numpy, zipfile, OSError)
        raise InvalidArgumentError(f"{p}: cannot read as {fmt}: {exc}") from None


# ---- arrow batches -> numpy columns --------------------------------------------------------


def _numeric_type(pa: Any, t: Any) -> bool:
    types = pa.types
    return bool(
        types.is_integer(t)
        or types.is_floating(t)
        or types.is_boolean(t)
        or types.is_null(t)
        or types.is_decimal(t)
    )


def _to_columns(batch: Any, names: Sequence[str]) -> Batch:
    cols = named_columns(batch.select(list(names)))[1]
    out: Batch = {}
    for name, col in zip(names, cols):
        if col.dtype.kind in "iub":
            col = col.astype(np.float64)
        elif col.dtype.kind == "O" and len(col) and all(v is None for v in col[:16]) and _all_none(col):
            col = np.full(len(col), np.nan)
        out[name] = col
    return out


def _all_none(col: npt.NDArray[Any]) -> bool:
    return all(v is None for v in col)


def _wrap(path: str, what: str, it: Iterator[tuple[int, Batch]]) -> Iterator[tuple[int, Batch]]:
    try:
        yield from it
    except InvalidArgumentError:
        raise
    except Exception as exc:
        raise InvalidArgumentError(f"{path}: cannot read as {what}: {exc}") from None


# ---- CSV ------------------------------------------------------------------------------------


def _open_csv(path: str) -> TableSource:
    pa = _pyarrow("CSV")
    import pyarrow.csv as pcsv

    null_values = list(pcsv.ConvertOptions().null_values)
    block, quoted = first_block(path)  # the header and the rows the types are inferred from
    try:
        schema = pcsv.read_csv(pa.py_buffer(block), parse_options=parse_options(quoted)).schema
    except pa.ArrowInvalid as exc:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            header = next(csv.reader(fh), [])
        strings = {n: pa.string() for n in header}
        raise InvalidArgumentError(_csv_diagnosis(path, header, strings, null_values, str(exc))) from None
    names = list(schema.names)
    _check_names(path, names)
    types = {n: (pa.float64() if _numeric_type(pa, schema.field(n).type) else pa.string()) for n in names}

    def batches(want: list[str]) -> Iterator[tuple[int, Batch]]:
        tables = csv_tables(path, names, types, want, CSV_BLOCK_BYTES)
        try:
            while True:
                try:
                    row, table = next(tables)
                except StopIteration:
                    return
                except pa.ArrowInvalid as exc:
                    raise InvalidArgumentError(
                        _csv_diagnosis(path, names, types, null_values, str(exc))
                    ) from None
                yield row, _to_columns(table, want)
        finally:
            tables.close()  # stops its read-ahead thread when the caller stops early

    return TableSource(path, "csv", names, None, batches)


def _csv_diagnosis(path: str, names: list[str], types: dict[str, Any], nulls: list[str], msg: str) -> str:
    """The exact line of the first ragged row or non-number in a numeric column (pyarrow's
    message does not have it): one more pass with the csv module, on the error path only."""
    null_set = set(nulls)
    numeric = [i for i, n in enumerate(names) if str(types[n]) == "double"]
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            line = reader.line_num
            if len(row) != len(names):
                return (
                    f"{path}, line {line}: ragged row, {len(row)} fields where the header has "
                    f"{len(names)} ({', '.join(names)}): {','.join(row)[:80]!r}"
                )
            for i in numeric:
                v = row[i]
                if v in null_set:
                    continue
                try:
                    float(v)
                except ValueError:
                    return (
                        f"{path}, line {line} (data row {line - 1}): column {names[i]!r} holds {v!r}, "
                        "not a number (the column is numeric in the file's first rows)"
                    )
    return f"{path}: cannot read as CSV: {msg.replace('CSV parse error: ', '')}"


def _check_names(path: str, names: list[str]) -> None:
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise InvalidArgumentError(f"{path}: column names must be unique, {dup!r} appear more than once")
    if not names:
        raise InvalidArgumentError(f"{path}: the file has no columns")


# ---- JSON Lines -----------------------------------------------------------------------------


def _open_jsonl(path: str) -> TableSource:
    pa = _pyarrow("JSON Lines")
    import pyarrow.json as pjson

    if os.path.getsize(path) == 0:
        raise InvalidArgumentError(f"{path}: empty file, expected one JSON object per line")
    first = pjson.open_json(path, read_options=pjson.ReadOptions(block_size=1 << 20))
    schema = first.schema
    names = list(schema.names)
    _check_names(path, names)
    fields = [
        pa.field(n, pa.float64() if _numeric_type(pa, schema.field(n).type) else pa.string()) for n in names
    ]

    def batches(want: list[str]) -> Iterator[tuple[int, Batch]]:
        reader = pjson.open_json(
            path,
            read_options=pjson.ReadOptions(block_size=CSV_BLOCK_BYTES),
            parse_options=pjson.ParseOptions(
                explicit_schema=pa.schema(fields), unexpected_field_behavior="ignore"
            ),
        )
        row = 0
        for b in reader:
            yield row, _to_columns(b, want)
            row += b.num_rows

    return TableSource(path, "jsonl", names, None, lambda want: _wrap(path, "JSON Lines", batches(want)))


# ---- Parquet, Arrow IPC ----------------------------------------------------------------------


def _open_parquet(path: str) -> TableSource:
    _pyarrow("Parquet")
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = list(pf.schema_arrow.names)
    _check_names(path, names)

    def batches(want: list[str]) -> Iterator[tuple[int, Batch]]:
        row = 0
        size = batch_rows(len(want))
        # pre_buffer=False, 1 MB reads: pyarrow otherwise buffers whole row groups ahead (a
        # 900 MB file peaked at ~1 GB RSS; so at ~190 MB, at the same speed)
        pf = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
        for b in pf.iter_batches(batch_size=size, columns=want):
            yield row, _to_columns(b, want)
            row += b.num_rows

    return TableSource(
        path, "parquet", names, pf.metadata.num_rows, lambda w: _wrap(path, "Parquet", batches(w))
    )


def _open_arrow(path: str) -> TableSource:
    pa = _pyarrow("Arrow/Feather")
    import pyarrow.ipc as ipc

    def reader() -> Any:
        src = pa.memory_map(path, "r")
        try:
            return ipc.open_file(src)
        except pa.ArrowInvalid:
            return ipc.open_stream(pa.memory_map(path, "r"))

    r = reader()
    names = list(r.schema.names)
    _check_names(path, names)

    def batches(want: list[str]) -> Iterator[tuple[int, Batch]]:
        rd = reader()
        it = (rd.get_batch(i) for i in range(rd.num_record_batches)) if hasattr(rd, "get_batch") else iter(rd)
        row = 0
        for b in it:
            size = batch_rows(len(want))
            for start in range(0, b.num_rows, size):
                part = b.slice(start, size)
                yield row, _to_columns(part, want)
                row += part.num_rows

    rows = (
        sum(r.get_batch(i).num_rows for i in range(r.num_record_batches)) if hasattr(r, "get_batch") else None
    )
    return TableSource(path, "arrow", names, rows, lambda w: _wrap(path, "Arrow IPC", batches(w)))


# ---- NPY, NPZ (numpy only) -------------------------------------------------------------------


def _array_source(path: str, fmt: str, arr: npt.NDArray[Any]) -> TableSource:
    if arr.dtype.names is not None:
        names = list(arr.dtype.names)
    elif arr.ndim == 1:
        names = ["f0"]
    elif arr.ndim == 2:
        names = [f"f{i}" for i in range(arr.shape[1])]
    else:
        raise InvalidArgumentError(
            f"{path}: a {arr.ndim}-D array; expected 1-D, 2-D (rows, columns) or a record array"
        )

    def batches(want: list[str]) -> Iterator[tuple[int, Batch]]:
        n = arr.shape[0]
        for start in range(0, n, BATCH_ROWS):
            part = arr[start : start + BATCH_ROWS]
            out: Batch = {}
            for name in want:
                if arr.dtype.names is not None:
                    col = np.asarray(part[name])
                elif arr.ndim == 1:
                    col = np.asarray(part)
                else:
                    col = np.asarray(part[:, names.index(name)])
                out[name] = col.astype(np.float64) if col.dtype.kind in "iub" else np.ascontiguousarray(col)
            yield start, out

    return TableSource(path, fmt, names, int(arr.shape[0]), batches)


def _open_npy(path: str) -> TableSource:
    arr = np.load(path, mmap_mode="r", allow_pickle=False)
    return _array_source(path, "npy", arr)


def _open_npz(path: str) -> TableSource:
    with np.load(path, allow_pickle=False) as z:
        keys = list(z.files)
        if not keys:
            raise InvalidArgumentError(f"{path}: the archive holds no array")
        if len(keys) == 1:
            return _array_source(path, "npz", z[keys[0]])
        cols = {k: z[k] for k in keys}
    bad = [k for k, v in cols.items() if v.ndim != 1]
    lens = {v.shape[0] for v in cols.values()}
    if bad or len(lens) != 1:
        raise InvalidArgumentError(
            f"{path}: an archive of several arrays is read as one column per array: every array "
            f"must be 1-D and of the same length (got shapes {[v.shape for v in cols.values()]})"
        )
    rec = np.empty(lens.pop(), dtype=[(k, v.dtype) for k, v in cols.items()])
    for k, v in cols.items():
        rec[k] = v
    return _array_source(path, "npz", rec)
