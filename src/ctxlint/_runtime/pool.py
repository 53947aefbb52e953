"""The one worker pool: map a function over tasks in forked worker processes, yielding results as
they complete; ``balanced_batches`` groups many small inputs into tasks of a useful size.

Why not ``concurrent.futures.ProcessPoolExecutor``: importing it costs ~17 ms (multiprocessing,
its connection and socket modules), and it moves every task and result through queues served by a
manager thread and feeder threads. That is a tenth of a 200 MiB audit's wall time here. The tasks
are known before the fork, so a worker only needs a task's index to start it; each worker has its
own pair of pipes, and the parent hands the next task to whichever worker answers first (largest
tasks first, so no worker idles behind a giant at the end).

Only on Linux: Windows has no fork, and macOS system libraries are not fork-safe. Elsewhere
``imap_unordered`` uses ProcessPoolExecutor with the same contract.

Results travel from the workers to the parent as pickles over the pipes between them: data
this very run produced, never read from disk.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")

HEADER = 8  # bytes of the length prefix of a result (little-endian)
STOP = -1


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


def imap_unordered(func: Callable[[T], R], tasks: Sequence[T], workers: int) -> Iterator[tuple[int, R]]:
    """``(index, func(tasks[index]))`` for every task, in completion order, on ``workers`` processes.

    An exception raised by ``func`` is raised here (the run stops, as with an executor)."""
    workers = max(1, min(workers, len(tasks)))
    if not tasks:
        return iter(())
    if not fork_available():
        return _executor_map(func, tasks, workers)
    return _fork_map(func, tasks, workers)


def fork_available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _executor_map(func: Callable[[T], R], tasks: Sequence[T], workers: int) -> Iterator[tuple[int, R]]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(func, task): i for i, task in enumerate(tasks)}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()


def _fork_map(func: Callable[[T], R], tasks: Sequence[T], workers: int) -> Iterator[tuple[int, R]]:
    import select

    sys.stdout.flush()
    sys.stderr.flush()
    # Copy-on-write friendly workers (what the gc docs advise before fork): the parent's objects move
    # to a permanent generation, so a worker's collections never walk them and copy their pages.
    gc.freeze()
    next_task = 0
    children: dict[int, tuple[int, int]] = {}  # result fd -> (pid, task fd)
    busy: dict[int, int] = {}  # result fd -> index of the task it works on

    def assign(fd: int) -> None:
        nonlocal next_task
        if next_task < len(tasks):
            _send(children[fd][1], next_task)
            busy[fd] = next_task
            next_task += 1

    try:
        for _ in range(workers):
            task_read, task_write = os.pipe()
            result_read, result_write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                for fd in (task_write, result_read, *(fd for r, (_, w) in children.items() for fd in (r, w))):
                    os.close(fd)
                _serve(func, tasks, task_read, result_write)
            os.close(task_read)
            os.close(result_write)
            children[result_read] = (pid, task_write)
        for fd in children:
            assign(fd)
        while busy:
            ready, _, _ = select.select(list(busy), [], [])
            for fd in ready:
                status, value = pickle.loads(_read_message(fd))
                index = busy.pop(fd)
                if status == "error":
                    raise value
                assign(fd)
                yield index, value
    finally:
        gc.unfreeze()
        for fd, (pid, task_fd) in children.items():
            if fd in busy:
                os.kill(pid, signal.SIGKILL)  # interrupted or failed: its work is no longer wanted
            else:
                _send(task_fd, STOP)
            os.close(task_fd)
            os.close(fd)
            os.waitpid(pid, 0)


def _serve(func: Callable[[T], R], tasks: Sequence[T], task_fd: int, result_fd: int) -> NoReturn:
    """The worker loop: run the task whose index arrives, answer with its pickled result."""
    code = 0
    try:
        # Ctrl-C reaches the whole process group: the parent stops the workers it still needs to.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        while True:
            raw = _read_exact(task_fd, HEADER)
            index = int.from_bytes(raw, "little", signed=True) if raw else STOP
            if index == STOP:
                break
            try:
                payload = pickle.dumps(("ok", func(tasks[index])), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # handed to the parent, which raises it
                try:
                    payload = pickle.dumps(("error", exc), pickle.HIGHEST_PROTOCOL)
                except Exception:
                    payload = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
            _write_all(result_fd, len(payload).to_bytes(HEADER, "little") + payload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no second flush of buffers copied from the parent


def _send(fd: int, index: int) -> None:
    with contextlib.suppress(BrokenPipeError):  # the worker is gone: reading its answer reports it
        _write_all(fd, index.to_bytes(HEADER, "little", signed=True))


def _read_message(fd: int) -> bytes:
    header = _read_exact(fd, HEADER)
    if len(header) < HEADER:
        raise WorkerDied("a worker process ended unexpectedly (killed or out of memory)")
    size = int.from_bytes(header, "little")
    payload = _read_exact(fd, size)
    if len(payload) < size:
        raise WorkerDied("a worker process ended unexpectedly (killed or out of memory)")
    return payload


def _read_exact(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


BATCH_BYTES = 2 * 1024 * 1024
MIN_BATCH_BYTES = 128 * 1024


def balanced_batches(sizes: Sequence[int], workers: int) -> list[list[int]]:
    """Indexes of the inputs, largest first, grouped into tasks of about ``BATCH_BYTES``.

    A small session is a few ms of work, so one task per file spent a tenth of the pool's time on
    task hand-offs. The largest inputs still go first and one per task (handed out as workers free
    up, so no worker idles behind a giant), and a task never grows past a quarter of a worker's share
    of the work left, so the last tasks are small and no worker idles behind a long one at the end."""
    order = sorted(range(len(sizes)), key=lambda i: sizes[i], reverse=True)
    remaining = sum(sizes)
    batches: list[list[int]] = []
    current: list[int] = []
    filled = 0
    for i in order:
        current.append(i)
        filled += sizes[i]
        if filled >= min(BATCH_BYTES, max(MIN_BATCH_BYTES, remaining // (4 * workers))):
            batches.append(current)
            remaining -= filled
            current, filled = [], 0
    if current:
        batches.append(current)
    return batches
