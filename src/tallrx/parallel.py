"""One map over ordered chunks: in process, on a local Dask cluster, or on an existing scheduler.

Work is cut by its caller into chunks (curves, synergy blocks, samples, parameter sets) and a
PURE function is mapped over them; results come back in chunk order, whatever finished first::

    from tallrx import parallel

    parts = parallel.map_chunks(fit_chunk, chunks, jobs=2, sizes=[len(c) for c in chunks],
                                description="fitting curves", unit="curves")

* ``jobs=1`` (default) and no scheduler: a plain loop in this process (no Dask import).
* ``jobs=N`` > 1: a ``distributed.LocalCluster`` of N single-threaded worker processes, started
  for the call (or for a :func:`cluster` block) and closed after it.
* ``scheduler="tcp://host:8786"`` or ``client=distributed.Client(...)``: an existing cluster
  (Slurm via dask-jobqueue, Kubernetes via dask-gateway, ...); nothing else changes.

Determinism: each chunk's result depends only on that chunk (random streams are seeded per unit
of work by the callers), so the gathered list equals the in-process one. Each chunk is one Dask
task with a unique key; when a worker dies, Dask re-runs its unfinished tasks elsewhere and the
result of each key is gathered once (nothing lost, nothing duplicated). At most ``window`` chunks
are in flight, so a stream of chunks keeps memory flat. Progress advances the innermost
:func:`tallrx.progress.task` by the size of each chunk as it completes.

Dask is an optional extra (``pip install 'tallrx[dask]'``), imported only when used.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from tallrx import progress
from tallrx.errors import TallrxError

__all__ = ["ClusterError", "announcing", "chunk_size_for", "cluster", "current", "imap_chunks",
           "local_cluster", "map_chunks", "mapper"]

T = TypeVar("T")
R = TypeVar("R")

_CURRENT: list[Any] = []  # the client of the innermost open cluster() block
_ANNOUNCE: list[Callable[[str], None]] = []  # where the dashboard link is said (the CLI's say)
_CONNECT_TIMEOUT_S = 10


class ClusterError(TallrxError):
    """Dask is missing or the scheduler cannot be reached (exit 2 in the CLI)."""


@contextlib.contextmanager
def announcing(say: Callable[[str], None]) -> Iterator[None]:
    """Inside the block, tell ``say`` (e.g. the CLI's stderr status line) the dashboard link."""
    _ANNOUNCE.append(say)
    try:
        yield
    finally:
        _ANNOUNCE.remove(say)


def _check_jobs(jobs: int | None) -> None:
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ClusterError(f"jobs {jobs!r}: expected a whole number >= 1 (1 = in process)")


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            "--jobs/--scheduler need Dask distributed: pip install 'tallrx[dask]' "
            "(or run with --jobs 1)"
        ) from None
    return distributed


def _say_dashboard(client: Any) -> None:
    link = getattr(client, "dashboard_link", None)
    if link and _ANNOUNCE:
        _ANNOUNCE[-1](f"Dask dashboard: {link}")


#: Environment Dask's nanny gives worker processes that tallrx takes back: a fixed
#: ``MALLOC_TRIM_THRESHOLD_`` (65536) also switches off glibc's dynamic mmap threshold, so every
#: large NumPy temporary is a fresh mmap + page faults -- the LL.4 fit ran 1.65x slower per curve
#: in a worker than in process (measured: benchmarks/bench_dask.py, docs/scale-out.md).
_WORKER_ENVIRON_UNSET = ("MALLOC_TRIM_THRESHOLD_",)


def local_cluster(n_workers: int, **options: Any) -> Any:
    """A ``distributed.LocalCluster`` of ``n_workers`` single-threaded worker processes, with the
    nanny's ``MALLOC_TRIM_THRESHOLD_`` unset (see ``_WORKER_ENVIRON_UNSET``); ``options`` go to
    ``LocalCluster``. The caller closes it."""
    import dask

    distributed = _import_distributed()
    unset = {f"distributed.nanny.pre-spawn-environ.{k}": None for k in _WORKER_ENVIRON_UNSET}
    settings = {"threads_per_worker": 1, "processes": True, "dashboard_address": ":0",
                "silence_logs": 50, **options}
    with dask.config.set(unset):
        return distributed.LocalCluster(n_workers=n_workers, **settings)


@contextlib.contextmanager
def cluster(jobs: int | None = 1, scheduler: str | None = None) -> Iterator[Any]:
    """Open a Dask client for the block: ``scheduler`` (an address) or a local cluster of ``jobs``
    worker processes; yields the client (None for ``jobs=1`` without scheduler: in process).

    Inside the block, :func:`map_chunks` calls without ``jobs``/``client`` use this client, so one
    cluster serves every map of a command. The dashboard link is announced once.
    """
    _check_jobs(jobs)
    if scheduler is None and (jobs is None or jobs == 1):
        yield None
        return
    distributed = _import_distributed()
    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            try:
                client = distributed.Client(scheduler, timeout=_CONNECT_TIMEOUT_S,
                                            set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterError(
                    f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc.__class__.__name__}); "
                    "start one (`dask scheduler`) and pass the address it prints, e.g. "
                    "tcp://127.0.0.1:8786, or drop --scheduler to run locally"
                ) from None
        else:
            local = local_cluster(int(jobs))
            stack.callback(local.close)
            client = distributed.Client(local, set_as_default=False)
        stack.callback(client.close)
        _say_dashboard(client)
        _CURRENT.append(client)
        try:
            yield client
        finally:
            _CURRENT.remove(client)


def current() -> Any:
    """The client of the innermost open :func:`cluster` block (None: none open, in process)."""
    return _CURRENT[-1] if _CURRENT else None


def _window(client: Any) -> int:
    return max(4, 3 * max(_workers(client), 1))


def _workers(client: Any) -> int:
    try:
        return len(client.scheduler_info().get("workers", {}))
    except Exception:  # noqa: BLE001 - an info call must not stop the work
        return 1


def chunk_size_for(n: int, chunk_size: int, *, jobs: int | None = None, client: Any = None,
                   per_worker: int = 4, smallest: int = 64) -> int:
    """``chunk_size`` cut down so that ``n`` units make about ``per_worker`` chunks per worker of
    the cluster that will run them (``jobs``, ``client`` or the open :func:`cluster`; unchanged in
    process), never below ``smallest``."""
    if client is None and jobs is None and _CURRENT:
        client = _CURRENT[-1]
    workers = _workers(client) if client is not None else (jobs or 1)
    if workers <= 1:
        return chunk_size
    return max(min(chunk_size, -(-n // (per_worker * workers))), smallest)


def _run_on(client: Any, func: Callable[[T], R], items: Iterator[tuple[int, T]],
            sizes: Sequence[int] | None, window: int | None) -> Iterator[R]:
    """Submit (index, chunk) pairs with unique keys, at most ``window`` in flight; yield in order."""
    distributed = _import_distributed()
    token = uuid.uuid4().hex
    width = window or _window(client)
    pending: deque = deque()
    finished: set[str] = set()

    def submit(i: int, chunk: T):
        fut = client.submit(func, chunk, key=f"tallrx-chunk-{token}-{i}", pure=False)
        pending.append((i, fut))
        return fut

    first = [submit(i, chunk) for i, chunk in itertools.islice(items, width)]
    if not first:
        return
    done = distributed.as_completed(first, loop=client.loop)
    while pending:
        i, head = pending[0]
        while head.key not in finished:  # advance progress as any future completes
            fut = next(done)
            finished.add(fut.key)
            j = int(fut.key.rsplit("-", 1)[1])
            progress.advance(1 if sizes is None else int(sizes[j]))
        pending.popleft()
        finished.discard(head.key)
        result = head.result()
        head.release()
        nxt = next(items, None)
        if nxt is not None:
            done.add(submit(*nxt))
        yield result


def imap_chunks(func: Callable[[T], R], chunks: Iterable[T], *, jobs: int | None = None,
                scheduler: str | None = None, client: Any = None,
                sizes: Sequence[int] | None = None, window: int | None = None) -> Iterator[R]:
    """Lazily map the pure ``func`` over ``chunks``; yield results in chunk order.

    Parameters
    ----------
    func : callable
        A pure, picklable (module-level or ``functools.partial``) function of one chunk.
    chunks : iterable
        The chunks, in order (a generator is consumed at most ``window`` ahead).
    jobs : int, optional
        1: in process; N > 1: a local cluster of N worker processes; None: the client of an open
        :func:`cluster` block, else in process.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``).
    client : distributed.Client, optional
        An existing client (wins over ``jobs`` and ``scheduler``).
    sizes : sequence of int, optional
        Units of work per chunk (curves, blocks, ...) for progress; default 1 per chunk.
    window : int, optional
        Chunks in flight on a cluster (default 3 x workers, at least 4).

    Yields
    ------
    The result of ``func`` on each chunk, in the order of ``chunks``.
    """
    _check_jobs(jobs)
    if client is None and scheduler is None and jobs is None and _CURRENT:
        client = _CURRENT[-1]
    if client is not None:
        yield from _run_on(client, func, enumerate(chunks), sizes, window)
        return
    if scheduler is not None or (jobs or 1) > 1:
        with cluster(jobs or 1, scheduler) as own:
            yield from _run_on(own, func, enumerate(chunks), sizes, window)
        return
    for i, chunk in enumerate(chunks):
        out = func(chunk)
        progress.advance(1 if sizes is None else int(sizes[i]))
        yield out


def map_chunks(func: Callable[[T], R], chunks: Iterable[T], **options: Any) -> list[R]:
    """:func:`imap_chunks` gathered into a list (same options); results in chunk order."""
    return list(imap_chunks(func, chunks, **options))


def mapper(client: Any) -> Callable[[Callable, Iterable], list]:
    """``mapper(fn, tasks)`` -> results in order on ``client`` (the model's simulation hook,
    :func:`tallrx.model.simulate.mapping`)."""
    return functools.partial(_map_on, client)


def _map_on(client: Any, fn: Callable, tasks: Iterable) -> list:
    return map_chunks(fn, tasks, client=client)
