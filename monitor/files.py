"""Writing files atomically: the one rule every file monitor writes follows (reference profiles,
reports, exported rules). The text goes to a temporary file of a unique name in the target's
folder, then ``os.replace`` puts it in place: readers see the old file or the new one, never a
part, and concurrent writers to one path never collide (the last one wins). The file gets the
usual mode (0666 minus the umask), not ``mkstemp``'s 0600."""

from __future__ import annotations

import os
import tempfile

__all__ = ["write_text_atomic"]

_UMASK = os.umask(0o022)  # read once, at import (os.umask is process-wide)
os.umask(_UMASK)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see the module doc)."""
    target = os.fspath(path)
    folder, base = os.path.split(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
