"""The ASGI application of ``tallrx serve`` (Starlette; server-rendered Jinja2 pages).

Routes (pages): ``/`` upload form, ``POST /runs`` (form) -> ``/runs/{id}`` results page,
``/runs`` runs list (this server's runs and the results store's, with filters), ``/model`` the
what-if page. JSON API: ``POST /api/runs`` (multipart: ``command``, ``layout``, ``files``, options)
-> ``{"run_id"}``; ``GET /api/runs/{id}`` -> ``{"status", "message", "files", ...}``;
``GET /api/runs/{id}/files/{name}`` -> an output file. Static assets are vendored in
``tallrx/web/static``; no page references another host.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from tallrx.errors import TallrxError
from tallrx.web.runs import COMMANDS, RUN_ID, RunQueue, safe_name
from tallrx.web.security import LOOPBACK_HOSTS, Guard, check_csrf

HERE = Path(__file__).parent
#: upload chunk size (bytes) when copying an upload into the run folder
_CHUNK = 1 << 20


@dataclass
class Config:
    """Server settings: store URL, upload cap (MB), token, concurrent runs, work folder."""

    db: str | None = None
    max_upload_mb: float = 200.0
    token: str | None = None
    jobs: int = 2
    workdir: Path | None = None
    loopback_only: bool = True


async def _save_uploads(form: FormData, folder: Path, command: str) -> list[str]:
    """Copy the form's ``layout`` (screen) and ``files`` into ``folder/input`` under safe names;
    returns the names in CLI argument order."""
    layout = [u for u in form.getlist("layout") if isinstance(u, UploadFile) and u.filename]
    files = [u for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
    if command == "screen" and len(layout) != 1:
        raise HTTPException(400, "screen needs exactly one 'layout' file")
    if command != "screen" and layout:
        raise HTTPException(400, f"'layout' is for screen only; send the {command} input "
                                 "as 'files'")
    if not files and command != "screen":
        raise HTTPException(400, "send at least one input file as 'files'")
    taken: set[str] = set()
    names = []
    for i, up in enumerate([*layout, *files], start=1):
        name = safe_name(up.filename, i, taken)
        target = folder / "input" / name
        if target.parent != folder / "input":  # safe_name never allows this; belt and braces
            raise HTTPException(400, "bad file name")
        with open(target, "wb") as fh:
            while chunk := await up.read(_CHUNK):
                fh.write(chunk)
        names.append(name)
    return names


def _option_fields(form: FormData) -> list[tuple[str, str]]:
    return [(k, v) for k, v in form.multi_items()
            if k not in ("command", "layout", "files", "csrf") and isinstance(v, str)]


def create_app(config: Config | None = None) -> Starlette:
    """The ASGI app for ``config`` (defaults: no store, 200 MB cap, no token, 2 runs at once)."""
    cfg = config or Config()
    root = Path(cfg.workdir) if cfg.workdir else Path(tempfile.mkdtemp(prefix="tallrx-serve-"))
    queue = RunQueue(root, jobs=cfg.jobs, db=cfg.db)
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    def page(request: Request, name: str, status: int = 200, **context) -> Response:
        context.setdefault("csrf", request.state.csrf)
        context.setdefault("error", None)
        return templates.TemplateResponse(request, name, context, status_code=status)

    def get_run(run_id: str):
        run = queue.runs.get(run_id) if RUN_ID.match(run_id) else None
        if run is None:
            raise HTTPException(404, f"no run {run_id!r} on this server")
        return run

    async def start_run(form: FormData) -> str:
        from tallrx.web.options import to_argv

        command = str(form.get("command") or "").strip()
        if command not in COMMANDS:
            raise HTTPException(400, f"command must be one of {', '.join(COMMANDS)}; "
                                     f"got {command!r}")
        try:
            options = await run_in_threadpool(to_argv, command, _option_fields(form))
        except TallrxError as exc:
            raise HTTPException(400, str(exc)) from None
        run_id, folder = queue.new_folder()
        try:
            names = await _save_uploads(form, folder, command)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        queue.submit(run_id, folder, command, names, options)
        return run_id

    async def api_create(request: Request) -> Response:
        async with request.form(max_files=10_000) as form:
            run_id = await start_run(form)
        return JSONResponse({"run_id": run_id})

    async def api_run(request: Request) -> Response:
        return JSONResponse(get_run(request.path_params["run_id"]).public())

    async def api_file(request: Request) -> Response:
        run = get_run(request.path_params["run_id"])
        path = queue.file(run.id, request.path_params["name"])
        if path is None:
            raise HTTPException(404, "no such output file for this run (see its 'files')")
        inline = path.suffix.lower() in (".html", ".png", ".svg", ".json")
        return FileResponse(path, filename=path.name,
                            content_disposition_type="inline" if inline else "attachment")

    async def index(request: Request) -> Response:
        return page(request, "index.html", commands=COMMANDS)

    async def form_create(request: Request) -> Response:
        async with request.form(max_files=10_000) as form:
            check_csrf(request.scope, form.get("csrf"))
            try:
                run_id = await start_run(form)
            except HTTPException as exc:
                return page(request, "index.html", status=exc.status_code, commands=COMMANDS,
                            error=exc.detail)
        return RedirectResponse(f"/runs/{run_id}", status_code=303)

    async def run_page(request: Request) -> Response:
        from tallrx.web.results import collect

        run = get_run(request.path_params["run_id"])
        results = (await run_in_threadpool(collect, run.out, run.files)
                   if run.status == "done" else None)
        return page(request, "run.html", run=run, results=results)

    async def runs_page(request: Request) -> Response:
        from tallrx.web.listing import list_runs

        q = request.query_params
        rows, note = await run_in_threadpool(list_runs, queue, cfg.db, q.get("command", ""),
                                             q.get("status", ""), q.get("q", ""))
        return page(request, "runs.html", rows=rows, note=note, commands=COMMANDS,
                    filters={k: q.get(k, "") for k in ("command", "status", "q")})

    async def model_page(request: Request) -> Response:
        from tallrx.model import DRUGS, GENOTYPES
        from tallrx.web.whatif import compute, from_query

        w = from_query(request.query_params)
        try:
            plots = await run_in_threadpool(compute, w) if w is not None else None
            error = None
        except TallrxError as exc:
            plots, error = None, str(exc)
        return page(request, "model.html", w=w or from_query(None), plots=plots,
                    genotypes=GENOTYPES, drugs=list(DRUGS), error=error,
                    status=400 if error else 200)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return Response(str(exc.detail), status_code=exc.status_code, media_type="text/plain")

    routes = [
        Route("/", index),
        Route("/runs", runs_page),
        Route("/runs", form_create, methods=["POST"]),
        Route("/runs/{run_id}", run_page),
        Route("/model", model_page),
        Route("/api/runs", api_create, methods=["POST"]),
        Route("/api/runs/{run_id}", api_run),
        Route("/api/runs/{run_id}/files/{name:path}", api_file),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await queue.shutdown()

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error},
                    lifespan=lifespan)
    app.state.queue = queue
    app.state.config = cfg
    hosts = LOOPBACK_HOSTS if cfg.loopback_only and cfg.token is None else None
    guarded = Guard(app, token=cfg.token, max_bytes=int(cfg.max_upload_mb * 1e6), hosts=hosts)
    guarded.state = app.state  # type: ignore[attr-defined]  (tests reach the queue)
    return guarded  # type: ignore[return-value]
