"""The run queue of ``tallrx serve``: each run is the CLI itself in a child process.

A run is ``python -m tallrx COMMAND INPUTS... -o out [options] [--db URL]`` started in its own folder
(``ROOT/ID/``: ``input/`` holds the uploads under sanitized names, ``out/`` the outputs), so its
results are the CLI's on the same files by construction. Runs wait in a FIFO queue (``queued``)
that ``jobs`` worker tasks take from, one run each at a time, so at most ``jobs`` runs execute at
once by construction. Child processes are awaited with asyncio, so a long run never blocks the
event loop.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

#: the commands a run may be; each takes input files as arguments and ``-o OUT``
COMMANDS = ("screen", "fit", "synergy", "coip", "qpcr")
#: run ids are 12 lowercase hex digits (never a path)
RUN_ID = re.compile(r"^[0-9a-f]{12}$")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RECORDED = re.compile(r"recorded as run (\S+)")


def safe_name(filename: str | None, index: int, taken: set[str]) -> str:
    """A file name for an upload that can never be a path: the last component of ``filename``
    with only ``[A-Za-z0-9._-]`` kept, no leading dots, at most 100 characters, unique among
    ``taken`` (``file{index}`` when nothing is left).

    >>> safe_name("../../etc/passwd", 1, set()), safe_name("C:\\\\x\\\\plate 1.csv", 2, set())
    ('passwd', 'plate_1.csv')
    >>> safe_name("..", 3, set()), safe_name("a.csv", 4, {"a.csv"})
    ('file3', '4_a.csv')
    """
    base = re.split(r"[/\\]", filename or "")[-1]
    name = _SAFE.sub("_", base).lstrip(".")[-100:] or f"file{index}"
    if name in taken:
        name = f"{index}_{name}"
    taken.add(name)
    return name


@dataclass
class Run:
    """One run: its id, command, state and outputs (``files``: paths relative to ``out/``)."""

    id: str
    command: str
    folder: Path
    inputs: list[str]
    argv: list[str]
    created: float = field(default_factory=time.time)
    status: str = "queued"
    message: str = "waiting for a free worker"
    files: list[str] = field(default_factory=list)
    store_run: str | None = None
    exit_code: int | None = None
    started: float | None = None
    ended: float | None = None

    @property
    def out(self) -> Path:
        return self.folder / "out"

    def public(self) -> dict:
        """The JSON body of ``GET /api/runs/{id}``."""
        return {"run_id": self.id, "command": self.command, "status": self.status,
                "message": self.message, "files": list(self.files), "inputs": list(self.inputs),
                "created": self.created, "store_run": self.store_run,
                "elapsed_s": self.elapsed()}

    def elapsed(self) -> float | None:
        """Seconds the run has been (or was) running; None while queued."""
        if self.started is None:
            return None
        return round((self.ended or time.time()) - self.started, 1)


class RunQueue:
    """Runs by id, executed at most ``jobs`` at a time; ``db`` is passed on as ``--db``."""

    def __init__(self, root: Path, *, jobs: int = 2, db: str | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.jobs = max(1, int(jobs))
        self.db = db
        self.runs: dict[str, Run] = {}
        self._pending: asyncio.Queue[Run] | None = None
        self._workers: list[asyncio.Task] = []
        self._procs: set[asyncio.subprocess.Process] = set()

    def new_folder(self) -> tuple[str, Path]:
        """A fresh run id and its folder (with an empty ``input/``)."""
        run_id = uuid.uuid4().hex[:12]
        folder = self.root / run_id
        (folder / "input").mkdir(parents=True)
        return run_id, folder

    def submit(self, run_id: str, folder: Path, command: str, inputs: list[str],
               options: list[str]) -> Run:
        """Queue ``tallrx COMMAND input/... -o out OPTIONS`` in ``folder``; returns the run."""
        argv = [command, *(f"input/{n}" for n in inputs), "-o", "out", *options]
        if self.db:
            argv += ["--db", self.db]
        run = Run(run_id, command, folder, inputs, argv)
        self.runs[run_id] = run
        if self._pending is None:  # made in the running event loop, on the first run
            self._pending = asyncio.Queue()
        self._pending.put_nowait(run)
        loop = asyncio.get_running_loop()
        while len(self._workers) < self.jobs:
            self._workers.append(loop.create_task(self._worker()))
        return run

    async def _worker(self) -> None:
        """Take the oldest queued run, execute it, repeat (one of ``jobs`` such tasks)."""
        assert self._pending is not None
        while True:
            await self._execute(await self._pending.get())

    async def _execute(self, run: Run) -> None:
        run.status, run.message = "running", f"tallrx {run.command} started"
        run.started = time.time()
        try:
            await self._child(run)
        except Exception as exc:  # noqa: BLE001 - a run's failure is reported, never raised
            run.status, run.message = "failed", f"could not run: {exc}"
        finally:
            run.ended = time.time()

    async def _child(self, run: Run) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg"}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tallrx", *run.argv, cwd=run.folder, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._procs.add(proc)
        errors: list[str] = []
        assert proc.stderr is not None
        async for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            run.message = line[:500]
            if line.startswith("tallrx: error") or line.startswith("tallrx: internal error"):
                errors.append(line)
            found = _RECORDED.search(line)
            if found:
                run.store_run = found.group(1)
        run.exit_code = await proc.wait()
        self._procs.discard(proc)
        if run.exit_code == 0 and run.out.is_dir():
            run.files = sorted(p.relative_to(run.out).as_posix()
                               for p in run.out.rglob("*") if p.is_file())
            run.status = "done"
            n = len(run.files)
            run.message = f"finished: {n} output files" + (
                f"; recorded as run {run.store_run} in the results store" if run.store_run else "")
        else:
            run.status = "failed"
            run.message = errors[-1] if errors else (run.message or f"exit code {run.exit_code}")

    async def shutdown(self) -> None:
        """Stop the runs still executing (the server is stopping): their children are ended."""
        for proc in list(self._procs):
            if proc.returncode is None:
                proc.terminate()
        for proc in list(self._procs):
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()

    def file(self, run_id: str, name: str) -> Path | None:
        """The output ``name`` of a finished run, only if it is one of its listed files."""
        run = self.runs.get(run_id)
        if run is None or name not in run.files:
            return None
        return run.out / name

    async def wait(self, run_id: str, timeout: float = 120.0) -> Run:
        """Wait (polling) until a run is done or failed (tests and scripts)."""
        end = time.monotonic() + timeout
        run = self.runs[run_id]
        while run.status in ("queued", "running") and time.monotonic() < end:
            await asyncio.sleep(0.2)
        return run
