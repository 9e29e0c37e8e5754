"""tallrx.parallel.map_chunks: order, progress, errors, and a worker killed mid-run."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from tallrx import parallel, progress
from tallrx.errors import TallrxError


def test_in_process_keeps_order_and_counts_progress():
    """Squares of 0..9 in order (hand-worked); progress counts the given chunk sizes."""
    with progress.task("t", total=None) as bar:
        out = parallel.map_chunks(lambda x: x * x, range(10), sizes=[2] * 10)
    assert out == [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
    assert bar.done == 20


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True])
def test_bad_jobs_is_a_clear_error(jobs):
    with pytest.raises(TallrxError, match="jobs"):
        parallel.map_chunks(abs, [1], jobs=jobs)


def test_unreachable_scheduler_names_the_address():
    with pytest.raises(TallrxError, match=r"tcp://127\.0\.0\.1:9: .*dask scheduler"):
        parallel.map_chunks(abs, [1], scheduler="tcp://127.0.0.1:9")


def test_cluster_keeps_order_whatever_finishes_first(client):
    """Early chunks sleep longest, so they finish last; the results still come in chunk order."""
    import time

    def slow_square(x):
        time.sleep(0.05 * (6 - x) if x < 6 else 0)
        return x * x

    with progress.task("t") as bar:
        out = parallel.map_chunks(slow_square, range(12), client=client, window=12)
    assert out == [x * x for x in range(12)]
    assert bar.done == 12


def test_killed_worker_loses_and_duplicates_nothing(client):
    """SIGKILL one worker process mid-run: Dask reruns its tasks; each result exactly once."""
    import time

    def slow_tag(x):
        time.sleep(0.25)
        return (x, os.getpid())

    pids = list(client.run(os.getpid).values())
    assert len(pids) == 2
    fired = []

    def kill():
        os.kill(pids[0], signal.SIGKILL)
        fired.append(time.monotonic())

    killer = threading.Timer(0.6, kill)
    killer.start()
    try:
        out = parallel.map_chunks(slow_tag, range(16), client=client, window=16)
        ended = time.monotonic()
    finally:
        killer.cancel()
    assert [x for x, _ in out] == list(range(16))  # all 16, in order, none twice
    assert fired and fired[0] < ended  # the kill fired during the ~2 s run
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)  # the victim is gone: its tasks ran elsewhere


#: read at collection, before any cluster of this module starts (the nanny may export it here)
_TRIM_SET_BY_USER = "MALLOC_TRIM_THRESHOLD_" in os.environ


def _environ(name: str):
    return os.environ.get(name)


def test_local_workers_do_not_get_the_nannys_malloc_trim_threshold(client):
    """Dask's nanny exports MALLOC_TRIM_THRESHOLD_=65536 to its workers by default, which turns
    off glibc's dynamic mmap threshold (the fit ran 1.65x slower per curve); tallrx's local
    cluster unsets it, and leaves the nanny's other settings (OMP_NUM_THREADS=1) alone."""
    import dask

    assert dask.config.get("distributed.nanny.pre-spawn-environ")["MALLOC_TRIM_THRESHOLD_"] == 65536
    if _TRIM_SET_BY_USER:
        pytest.skip("MALLOC_TRIM_THRESHOLD_ is set in this environment (workers inherit it)")
    assert set(client.run(_environ, "MALLOC_TRIM_THRESHOLD_").values()) == {None}
    assert set(client.run(_environ, "OMP_NUM_THREADS").values()) == {"1"}
