"""cffi builder for the C core (API mode, out of line).

The cdef is not retyped: it is the text between ``MON_CDEF_BEGIN`` and ``MON_CDEF_END`` in each
public header of ``csrc/``, so constants, enums and struct layouts come from C. Run
``python monitor/_build.py`` for an in-place development build; ``pip install .`` runs it through
``setup.py``'s ``cffi_modules``.
"""

from __future__ import annotations

import glob
import os
import re

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
CSRC = os.path.join(os.path.dirname(HERE), "csrc")

_BLOCK = re.compile(r"/\*\s*MON_CDEF_BEGIN.*?\*/(.*?)/\*\s*MON_CDEF_END\s*\*/", re.S)


def _headers() -> list[str]:
    # mon_config.h, mon_status.h, then the headers of types other headers use (mon_types.h,
    # mon_window.h) first; then every other public header in name order.
    first = ["mon_config.h", "mon_status.h", "mon_types.h", "mon_window.h"]
    # The monitor composes the other units (its config holds mon_rules / mon_ledger types).
    last = ["mon_monitor.h", "mon_policy.h"]
    rest = sorted(
        os.path.basename(p)
        for p in glob.glob(os.path.join(CSRC, "mon_*.h"))
        if os.path.basename(p) not in first + last
    )
    return first + rest + last


def _cdef() -> str:
    parts = []
    for name in _headers():
        with open(os.path.join(CSRC, name), encoding="utf-8") as fh:
            text = fh.read()
        for block in _BLOCK.findall(text):
            parts.append(f"/* from {name} */\n{block}")
    return "\n".join(parts)


def _sources() -> list[str]:
    # Relative paths keep setuptools happy when building from an sdist or a copy of the tree.
    root = os.path.dirname(HERE)
    return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(CSRC, "*.c")))


ffibuilder = FFI()
ffibuilder.cdef(_cdef())
ffibuilder.set_source(
    "monitor._monitor_cffi",
    '#include "monitor.h"\n',
    sources=_sources(),
    include_dirs=[CSRC],
    # -ffp-contract=off: no fused multiply-add anywhere (bit identity); -O2 for the hot loops.
    extra_compile_args=["-std=c99", "-O2", "-ffp-contract=off", "-fno-strict-aliasing"],
)

if __name__ == "__main__":
    os.chdir(os.path.dirname(HERE))
    ffibuilder.compile(verbose=False, tmpdir=".")
