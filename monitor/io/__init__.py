"""Reading the user's files in batches (CSV, Parquet, Arrow IPC / Feather, JSON Lines, NPY, NPZ):
:func:`open_table`, :class:`TableSource`. See :mod:`monitor.io.readers`."""

from __future__ import annotations

from .prefetch import prefetch
from .readers import FORMATS, IO_EXTRA_HINT, TableSource, format_of, open_table

__all__ = ["FORMATS", "IO_EXTRA_HINT", "TableSource", "format_of", "open_table", "prefetch"]
