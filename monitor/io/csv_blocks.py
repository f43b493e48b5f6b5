"""A CSV file in large blocks, each cut at the end of a record and parsed by pyarrow's
multi-threaded ``pyarrow.csv.read_csv``: the parse speed of reading the whole file at once, with
memory bounded by the block size (pyarrow's streaming ``open_csv``, which parses one 1 MB block
at a time, was about 3x slower than ``read_csv`` on the whole file).

:func:`record_blocks` reads the (decompressed) bytes in blocks of about :data:`BLOCK_BYTES`, each
ending just after a line end that is not inside a quoted field, so a block holds whole records
and the next block starts a record. A block without the quote character is cut at its last line
end. A block with it is cut at the last line end preceded by an even number of quote characters
(RFC 4180 quoting, quotes inside a quoted field doubled: what CSV writers produce), and is parsed
with ``newlines_in_values=True`` so that pyarrow's own splitting of the block also keeps a quoted
line end inside its field. A record longer than a block makes the block grow until it ends.
A quote character in the middle of an unquoted field (``5"``) is a literal to pyarrow but counts
for the parity here: a file with such quotes and quoted line ends can be cut inside a quoted
field when it is larger than a block; the records around that cut then have too few fields (a
ragged-row error, in all but one-column files). The growth is capped at :data:`MAX_BLOCK_BYTES`,
past which the block is cut at its last line end as if unquoted.

:func:`csv_tables` parses the blocks of a file whose column names and types are fixed (the
header and the first :data:`INFER_BYTES`, see :func:`monitor.io.readers.open_table`): the
header's names as ``column_names``, explicit ``column_types``, ``include_columns``. The blocks
are read one ahead in a thread (:func:`monitor.io.prefetch.prefetch`), so reading overlaps parsing.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import numpy as np

from .prefetch import prefetch

__all__ = ["BLOCK_BYTES", "INFER_BYTES", "MAX_BLOCK_BYTES", "record_blocks", "first_block", "csv_tables"]

#: Bytes of CSV text parsed per ``read_csv`` call (8 MB: ~42,000 rows of 10 floats). Peak RSS
#: grows by ~7x the block (blocks read ahead, pyarrow's parse buffers, the batches read ahead):
#: 4 / 8 / 16 MB blocks peaked at 160 / 205 / 275 MB on a 190 MB file (a 2 MB file: 137 MB).
BLOCK_BYTES = 8 << 20
#: The column types are inferred from the file's first this many bytes (pyarrow's first block).
INFER_BYTES = 1 << 20
#: A block whose quote parity finds no record end grows at most to this before being cut at its
#: last line end (a stray literal quote must not make a block the size of the file).
MAX_BLOCK_BYTES = 8 * BLOCK_BYTES
#: Blocks read ahead of the one being parsed (reading overlaps parsing).
READ_AHEAD = 1
#: pyarrow splits a block into chunks of this many bytes parsed in parallel (its default: 1 MB).
PARSE_CHUNK = 2 << 20
_QUOTE, _LF, _CR = 0x22, 0x0A, 0x0D


def _cut(buf: bytes, quoted: bool) -> int:
    """The length of the longest prefix of ``buf`` that ends a record (0 when none does)."""
    if not quoted:
        end = buf.rfind(b"\n")
        if end < 0:
            end = buf.rfind(b"\r")  # a file with CR line ends only
        return end + 1
    a = np.frombuffer(buf, dtype=np.uint8)
    ends = np.flatnonzero(a == _LF)
    if ends.size == 0:
        ends = np.flatnonzero(a == _CR)
    if ends.size == 0:
        return 0
    quotes = np.flatnonzero(a == _QUOTE)
    outside = ends[(np.searchsorted(quotes, ends) & 1) == 0]
    return int(outside[-1]) + 1 if outside.size else 0


def record_blocks(stream: Any, size: int = BLOCK_BYTES) -> Generator[tuple[Any, bool], None, None]:
    """``(block, has_quotes)`` for every block of ``stream`` (a binary file object): about
    ``size`` bytes each (more when one record is longer), whole records, in order; the last
    block is the rest of the file (with or without a final line end). A block is a bytes-like
    view of what was read (no copy)."""
    rest = b""
    while True:
        chunk = stream.read(size)
        if not chunk:
            if rest:
                yield rest, b'"' in rest
            return
        buf = rest + chunk if rest else chunk
        quoted = b'"' in buf
        cut = _cut(buf, quoted)
        if cut == 0 and quoted and len(buf) >= MAX_BLOCK_BYTES:
            cut = _cut(buf, False)
        if cut == 0:  # no record ends in it yet: read more
            rest = buf
            continue
        rest = buf[cut:]  # the start of the next record: short
        yield memoryview(buf)[:cut], quoted and buf.find(b'"', 0, cut) >= 0
        del buf, chunk


def first_block(path: str, size: int | None = None) -> tuple[bytes, bool]:
    """The file's first block of about ``size`` bytes (default :data:`INFER_BYTES`): the header
    and the rows the column types are inferred from, cut at a record end; empty for an empty file."""
    import pyarrow as pa

    with pa.input_stream(path) as stream:  # decompresses .gz / .bz2 by the extension
        block, quoted = next(record_blocks(stream, INFER_BYTES if size is None else size), (b"", False))
        return bytes(block), quoted


def parse_options(quoted: bool) -> Any:
    """pyarrow's parse options for a block (quoted line ends only matter when it has quotes)."""
    import pyarrow.csv as pcsv

    return pcsv.ParseOptions(newlines_in_values=quoted)


def csv_tables(
    path: str, names: Sequence[str], types: dict[str, Any], want: Sequence[str], size: int = BLOCK_BYTES
) -> Generator[tuple[int, Any], None, None]:
    """``(first_row, pyarrow.Table)`` for every non-empty block of the CSV file ``path``, whose
    header names the columns ``names`` (read with the types ``types``), with the columns
    ``want``; 0-based data rows. pyarrow's errors (``ArrowInvalid``: a ragged row, a value that
    does not convert) propagate to the caller."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    convert = pcsv.ConvertOptions(
        include_columns=list(want), column_types={n: types[n] for n in want}, strings_can_be_null=True
    )
    row = 0
    with pa.input_stream(path) as stream:
        blocks = prefetch(record_blocks(stream, size), ahead=READ_AHEAD)
        try:
            for i, (block, quoted) in enumerate(blocks):
                table = pcsv.read_csv(
                    pa.py_buffer(block),
                    read_options=pcsv.ReadOptions(
                        column_names=list(names),
                        skip_rows=1 if i == 0 else 0,
                        use_threads=True,
                        block_size=PARSE_CHUNK,
                    ),
                    parse_options=parse_options(quoted),
                    convert_options=convert,
                )
                if table.num_rows:
                    yield row, table
                    row += table.num_rows
        finally:
            blocks.close()  # joins the read-ahead thread before the stream closes
