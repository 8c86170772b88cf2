"""Render processes: each renders job after job, and is replaced when it has done many or grown.

A process keeps its fonts and parsed stylesheets between firms, which is most of what a fresh one
spends before its first page. WeasyPrint's memory creeps up slowly over many documents, so a
process is replaced after `RECYCLE_AFTER` jobs, or as soon as a job leaves it holding more than
`RECYCLE_MB`. `dtm batch --workers N` runs N of them, `dtm worker` one.

However many render processes a machine runs (workers, batches), at most one per core renders
at a time (`render_slot`): more would only share the cores and slow each other down.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ..errors import N_, UsageError

RECYCLE_AFTER = 40  # jobs per render process
RECYCLE_MB = 600.0  # resident memory after a job above which the process is replaced
SLOTS_ENV = "DTM_RENDER_SLOTS"  # renders at once on this machine; 0: no limit

T = TypeVar("T")
J = TypeVar("J")
R = TypeVar("R")


def die_with_parent() -> None:
    """In a render process: end when the process that started it ends, even by SIGKILL, so a
    killed worker's or batch's firm is never finished behind the back of the one that resumes."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's own exit ends the pool
        return


def resident_mb() -> float:
    """This process's resident memory in MB (Linux), else its peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warm_up() -> None:
    from ..report.render import warm_up

    warm_up()


def slot_count() -> int:
    """Renders at once on this machine: `$DTM_RENDER_SLOTS`, else one per core this process may
    use; 0 for no limit. A `$DTM_RENDER_SLOTS` that is not a count is a UsageError."""
    given = os.environ.get(SLOTS_ENV, "").strip()
    if given:
        # ASCII digits only: `²` is a digit to `str.isdigit` but no number to `int`.
        if not (given.isascii() and given.isdigit()):
            raise UsageError(
                N_("$%(name)s must be a whole number of render slots (0: no limit), not %(value)s"),
                name=SLOTS_ENV,
                value=repr(given),
            )
        return int(given)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _slot_folder(folder: Path | None = None) -> Path | None:
    """This user's folder of slot files, private to them; None if it cannot be one."""
    folder = folder or Path(tempfile.gettempdir()) / f"dtm-render-slots-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = folder.lstat()
    except OSError:
        return None
    if not folder.is_dir() or folder.is_symlink() or found.st_uid != os.getuid():
        return None
    return folder


@contextmanager
def render_slot(
    count: int | None = None, *, poll: float = 0.05, folder: Path | None = None
) -> Iterator[None]:
    """Hold one of this machine's `count` render slots (`slot_count()` by default) for the block.

    A slot is a lock on a file (`flock`), which the kernel lets go when its process ends, even
    when killed, so a slot is never lost. Four workers on two cores thus render two firms at a
    time, as fast as two workers, instead of four at half speed each. Without `flock` (not
    Linux or BSD) or a private folder for the lock files, there is no limit. `folder` holds the
    lock files (a private one under the temporary folder by default)."""
    slots = slot_count() if count is None else count
    folder = _slot_folder(folder) if slots > 0 else None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        folder = None
    if folder is None:
        yield
        return
    while True:
        for n in range(slots):
            try:
                fd = os.open(folder / f"slot-{n}", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            except OSError:
                yield  # the slot files cannot be made here: no limit rather than no render
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        time.sleep(poll)


def measured(function: Callable[..., T], *args: Any) -> tuple[T, float]:
    """`function(*args)` in one of the machine's render slots, with the resident memory (MB) of
    the process that ran it, afterwards."""
    with render_slot():
        found = function(*args)
    return found, resident_mb()


class RenderProcess:
    """One child process that runs one job at a time, replaced after `after` jobs (by its
    executor), when `recycle_if_grown` is told it grew past `limit_mb`, or when it died."""

    def __init__(self, *, after: int = RECYCLE_AFTER, limit_mb: float = RECYCLE_MB) -> None:
        self.after, self.limit_mb = after, limit_mb
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=self.after,
            initializer=die_with_parent,
        )

    def warm(self) -> Future[None]:
        """Start the process now and have it set up what its first report needs (the renderer,
        the stylesheet, the fonts: `report.render.warm_up`), so that its first firm does not
        wait for them; the future ends when it is ready, with the error if it cannot render."""
        return self.pool.submit(_warm_up)

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        return self.pool.submit(function, *args)

    def replace(self) -> None:
        """A new process for the next job; the old one ends once its job (if any) is done."""
        old, self.pool = self.pool, self._start()
        old.shutdown(wait=False)

    def recycle_if_grown(self, resident_mb: float, limit: float | None = None) -> bool:
        """Replace the process, its job done, if it holds more than `limit` (else `limit_mb`)."""
        if resident_mb <= (self.limit_mb if limit is None else limit):
            return False
        self.replace()
        return True

    def shutdown(self, *, wait: bool = True, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def run_all(
    function: Callable[[J], R],
    jobs: Iterable[J],
    workers: int,
    *,
    after: int = RECYCLE_AFTER,
    limit_mb: float = RECYCLE_MB,
) -> Iterator[tuple[J, R | Exception]]:
    """`function(job)` for every job on `workers` render processes, one job at a time each;
    yields each job with its result, or with the exception it raised, as they finish.

    A process that died (killed, out of memory) fails its job alone and is replaced; so is one
    that a job left above `limit_mb`, once that job is done.
    """
    processes = [RenderProcess(after=after, limit_mb=limit_mb) for _ in range(workers)]
    waiting = iter(jobs)
    running: dict[Future[tuple[R, float]], tuple[RenderProcess, J]] = {}

    def give(process: RenderProcess) -> None:
        for job in waiting:
            running[process.submit(measured, function, job)] = (process, job)
            return

    try:
        for process in processes:
            give(process)
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                process, job = running.pop(future)
                outcome: R | Exception
                try:
                    outcome, grown = future.result()
                except BrokenProcessPool as exc:
                    process.replace()
                    outcome = exc
                except Exception as exc:  # the job's own error, raised again here
                    outcome = exc
                else:
                    process.recycle_if_grown(grown)
                yield job, outcome  # recorded before the process gets its next job
                give(process)
    finally:
        for process in processes:
            process.shutdown(cancel_futures=True)
