"""Request guards of ``tallrx serve`` (one ASGI middleware): access token, upload size cap,
cross-site request checks and the CSRF cookie.

- ``token``: every request must carry it (``Authorization: Bearer T``, ``X-Tallrx-Token: T``,
  ``?token=T`` or the ``tallrx_token`` cookie that ``?token=T`` sets); else 401.
- ``hosts``: when serving on loopback only, the Host header must name loopback (a page on another
  site cannot reach the server through DNS rebinding); else 400.
- ``max_bytes``: a request body over the cap is refused with 413 (by Content-Length up front, or
  while it streams in).
- a POST whose ``Origin`` is another site is refused with 403; HTML forms also carry a CSRF token
  that must equal the ``tallrx_csrf`` cookie (double submit; checked by :func:`check_csrf`).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "tallrx_csrf"
TOKEN_COOKIE = "tallrx_token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header is no cookie
        return {}
    return {k: m.value for k, m in jar.items()}


def _host_name(host: str) -> str:
    """'127.0.0.1:8765' -> '127.0.0.1'; '[::1]:8765' -> '[::1]'."""
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_bytes: int,
                 hosts: Iterable[str] | None) -> None:
        self.app, self.token, self.max_bytes = app, token, int(max_bytes)
        self.hosts = None if hosts is None else frozenset(h.lower() for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        cookies = _cookies(headers)
        host = headers.get("host", "")
        if self.hosts is not None and _host_name(host).lower() not in self.hosts:
            await PlainTextResponse("unknown Host header", 400)(scope, receive, send)
            return
        set_token = False
        if self.token is not None:
            given = self._given_token(scope, headers, cookies)
            if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
                await PlainTextResponse(
                    "this server needs its access token: add ?token=... to the address "
                    "(or the header 'Authorization: Bearer ...')", 401)(scope, receive, send)
                return
            set_token = cookies.get(TOKEN_COOKIE) != self.token
        if scope["method"] == "POST":
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc.lower() != host.lower():
                await PlainTextResponse("cross-site request refused", 403)(scope, receive, send)
                return
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            receive = self._capped(receive)
        csrf = cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf"] = csrf
        extra: list[str] = []
        if CSRF_COOKIE not in cookies:
            extra.append(f"{CSRF_COOKIE}={csrf}; Path=/; SameSite=Strict; HttpOnly")
        if set_token:
            extra.append(f"{TOKEN_COOKIE}={self.token}; Path=/; SameSite=Strict; HttpOnly")

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start" and extra:
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      *((b"set-cookie", c.encode("latin-1")) for c in extra)]
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    def _given_token(self, scope: Scope, headers: dict[str, str],
                     cookies: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        if "x-tallrx-token" in headers:
            return headers["x-tallrx-token"].strip()
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token"):
            return query["token"][0]
        return cookies.get(TOKEN_COOKIE)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        mb = self.max_bytes / 1e6
        await PlainTextResponse(f"upload too large: the limit is {mb:g} MB (--max-upload-mb)",
                                413)(scope, receive, send)

    def _capped(self, receive: Receive) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, f"upload too large: the limit is "
                                             f"{self.max_bytes / 1e6:g} MB (--max-upload-mb)")
            return message

        return wrapped


def check_csrf(scope: Scope, given: object) -> None:
    """403 unless the form's ``csrf`` field equals the browser's CSRF cookie."""
    expected = scope.get("state", {}).get("csrf", "")
    if not isinstance(given, str) or not expected or not hmac.compare_digest(
            given.encode(), expected.encode()):
        raise HTTPException(403, "the form's CSRF token is missing or stale; reload the page")
