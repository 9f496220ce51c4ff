"""Writing an output file whole or not at all: a temporary file beside it, then a rename.

A failure or Ctrl-C half way leaves any earlier file of that name as it was and no partial one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filmklynge.errors import InvalidInput


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; it becomes ``path`` when the block ends.

    A symbolic link is written through (its target is replaced), and a file that exists keeps
    its permissions, as if it had been opened for writing.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder. Give a file name.")
    if not path.parent.is_dir():
        raise InvalidInput(f"Folder {path.parent} does not exist. Create it or choose another.")
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if path.exists():
            mode = path.stat().st_mode & 0o7777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # a new ordinary file, as open() would make it
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, synced to disk."""
    with replacing(path) as tmp, tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
