"""Many EHF documents at once: made, and if asked checked by the official rules, in order.

Making a document is mostly drawing its PDF (a few milliseconds of Python), and checking it
is Saxon's work (a few more); both hold the interpreter, so threads do not help. A batch of
``PARALLEL_FROM`` documents or more is therefore shared between worker processes, one per CPU
up to ``MAX_JOBS``: each opens the database itself, compiles the rules once
(``ehf_rules.validator``) and makes and checks a slice of the documents. A smaller batch, or a
machine with one CPU, is done in this process, where the rules are compiled once for the whole
process.

``make`` yields the documents in the order asked for, as they are ready, so the caller can
write each one while the others are still being made.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from filmklynge.documents.ehf_rules import Finding
from filmklynge.store.db import Database

PARALLEL_FROM = 100  # below this, starting workers (about 0.5 s) costs more than it saves
MAX_JOBS = 4  # each worker holds its own compiled rules (about 200 MB)
CHUNK = 20  # documents per task: small enough to spread the work, large enough to be cheap


@dataclass(frozen=True)
class Made:
    """One document: its number, its XML, and the rules' findings (empty when not checked)."""

    number: int
    xml: bytes
    findings: tuple[Finding, ...] = ()


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def make(
    db: Database,
    numbers: Sequence[int],
    *,
    check: bool = False,
    jobs: int | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> Iterator[Made]:
    """The EHF XML of each document in ``numbers`` (and with ``check``, the findings of the
    official rules on it), in that order. Raises what ``render_ehf`` raises."""
    jobs = min(cpus(), MAX_JOBS) if jobs is None else jobs
    if jobs <= 1 or len(numbers) < parallel_from or db.path is None:
        if check:
            from filmklynge.documents import ehf_rules

            ehf_rules.validator()  # a missing extra fails before any work is done
        for number in numbers:
            yield _make(db, number, check)
        return
    yield from _in_workers(Path(db.path), list(numbers), check, min(jobs, len(numbers)))


def _make(db: Database, number: int, check: bool) -> Made:
    from filmklynge.documents.ehf import render_ehf

    xml = render_ehf(db, number)
    if not check:
        return Made(number, xml)
    from filmklynge.documents import ehf_rules

    return Made(number, xml, tuple(ehf_rules.validate(xml)))


def _in_workers(path: Path, numbers: list[int], check: bool, jobs: int) -> Iterator[Made]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if check:
        from filmklynge.documents import ehf_rules

        ehf_rules.check_installed()  # a missing extra fails here, not in every worker
    chunks = [numbers[i : i + CHUNK] for i in range(0, len(numbers), CHUNK)]
    # "spawn": a fresh interpreter per worker, sharing no SQLite connection, Saxon or thread
    # state with this process.
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(str(path), check),
    ) as pool:
        futures = [pool.submit(_worker_make, chunk, check) for chunk in chunks]
        try:
            for future in futures:
                yield from future.result()
        finally:
            for future in futures:
                future.cancel()


_worker_db: Database | None = None


def _worker_start(path: str, check: bool) -> None:
    import signal

    from filmklynge.store.db import open_db

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    global _worker_db
    _worker_db = open_db(Path(path), create=False, migrate=False)
    if check:
        from filmklynge.documents import ehf_rules

        ehf_rules.validator()


def _worker_make(numbers: list[int], check: bool) -> list[Made]:
    assert _worker_db is not None
    return [_make(_worker_db, number, check) for number in numbers]
