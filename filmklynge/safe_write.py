"""Writing an output file whole or not at all: a temporary file beside it, then a rename.

A failure or Ctrl-C half way leaves any earlier file of that name as it was and no partial one.

One rule for every file a command writes (``--output``, exports, PDFs, EHF files, reports):

- a new file is created readable by its owner only (0600), like the database: exports,
  documents and reports hold personal data;
- an existing regular file is replaced whole, keeping the permissions it has; a symbolic link
  is written through (its target is replaced);
- something that is not a regular file (a FIFO, a device, ``/dev/stdout``) is written into,
  never replaced by a new file;
- a file that is an SQLite database is never overwritten: a mistyped ``--output`` must not
  destroy the register;
- a full disk is a one-line error (exit 5), and nothing is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filmklynge.errors import CheckFailed, Conflict, InvalidInput

PRIVATE = 0o600
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _special(path: Path) -> bool:
    """Whether ``path`` is written into rather than replaced: not a regular file or folder,
    or a name under /dev or /proc (``/dev/stdout`` may lead to a file a shell opened)."""
    if str(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _same_file(path: Path, fd: int) -> bool:
    try:
        a, b = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _write_into(path: Path, source: Path) -> None:
    """Copy ``source`` into the existing non-regular file ``path`` (or our own stdout)."""
    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        if _same_file(path, fd):  # the shell's own redirection: write to the open stream
            stream.flush()
            with source.open("rb") as src:
                while chunk := src.read(1 << 16):
                    os.write(fd, chunk)
            return
    with source.open("rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)


def _refuse_database(path: Path) -> None:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return
    if head == b"SQLite format 3\x00":
        raise Conflict(
            f"{path} is an SQLite database; filmklynge never writes output over one. "
            "Choose another file name."
        )


def _disk_full(path: Path, e: OSError) -> CheckFailed:
    return CheckFailed(
        f"The disk is full writing {path} ({e.strerror}); nothing was written. "
        "Free some space and try again."
    )


@contextlib.contextmanager
def replacing(path: Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path; what is written there becomes ``path`` when the block ends.

    The rules are in the module's docstring. ``mode`` (like 0o600) sets the permissions of
    the file even when it exists.
    """
    path = Path(path)
    if _special(path):
        fd, name = tempfile.mkstemp(prefix=".filmklynge.", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
        try:
            yield tmp
            _write_into(path, tmp)
        except OSError as e:
            if e.errno in _DISK_FULL:
                raise _disk_full(path, e) from None
            raise
        finally:
            tmp.unlink(missing_ok=True)
        return
    if path.is_symlink():
        path = path.resolve()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder. Give a file name.")
    if not path.parent.is_dir():
        raise InvalidInput(f"Folder {path.parent} does not exist. Create it or choose another.")
    if path.exists():
        _refuse_database(path)
    # The temporary name stays short whatever the target's: a name near the file system's
    # limit (255 bytes) must not fail here for the prefix and suffix added.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".filmklynge.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if mode is None:
            mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else PRIVATE
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        if e.errno in _DISK_FULL:
            raise _disk_full(path, e) from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically, synced to disk (``mode``: see ``replacing``)."""
    with replacing(path, mode=mode) as tmp, tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
