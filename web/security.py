"""What keeps the questionnaire safe on a shared machine: CSRF tokens, a body cap, strict headers.

- CSRF: each browser gets a random session cookie (SameSite=Strict, HttpOnly); every form carries
  an HMAC of it under a secret drawn when the process starts. Another site can neither read the
  token nor compute it, so a POST without the right one is refused.
- Bodies above MAX_BODY bytes are refused with 413 before they are read in full.
- Every response forbids framing, sniffing and, but for the factsheet's inline styles, any script
  or style not served from here.
- Only requests whose Host header names this server are answered (``AllowedHosts``): a page of
  another site that rebinds its name to this machine's address is refused, so it cannot read a
  form's token. Listening on every address (0.0.0.0, ::) accepts this machine's own names and
  addresses and those given with ``--allow-host``, never any name.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from pathlib import Path

MAX_BODY = 256 * 1024
SESSION_COOKIE = "selfcheck_session"
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Csrf:
    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    @staticmethod
    def new_session() -> str:
        return secrets.token_urlsafe(32)

    def token(self, session: str) -> str:
        return hmac.new(self._secret, session.encode("utf-8"), hashlib.sha256).hexdigest()

    def valid(self, session: str | None, token: str | None) -> bool:
        return bool(session and token) and hmac.compare_digest(self.token(session), token)


class TrackedSend:
    """An ASGI ``send`` that remembers whether the response has started: after that, an error can no
    longer be answered with a page of its own."""

    def __init__(self, send):
        self.send = send
        self.started = False

    async def __call__(self, message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class _TooLarge(Exception):
    pass


class LimitBody:
    """ASGI middleware: 413 for a body over ``limit`` bytes, whether announced or streamed (inside SecurityHeaders)."""

    def __init__(self, app, limit: int = MAX_BODY):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            return await _too_large(send)
        received = 0
        tracked = TrackedSend(send)

        async def counting_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, tracked)
        except _TooLarge:
            if not tracked.started:
                await _too_large(send)


async def _too_large(send) -> None:
    body = (
        f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Too large</title>"
        f"<p>The form sent is larger than {MAX_BODY // 1024} KiB, so it was refused and nothing was saved. "
        f"Shorten the longest answers and save again.</p></html>"
    ).encode()
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """ASGI middleware adding HEADERS and, unless the response set its own, the CSP."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = dict(HEADERS, **{"Content-Security-Policy": CSP})
                headers += [(k.lower().encode(), v.encode()) for k, v in extra.items() if k.lower().encode() not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")


def hosts_allowed(host: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The names a browser may use for this server when it listens on ``host``."""
    allowed = {*LOOPBACK, normal_host(host), *(normal_host(name) for name in extra)}
    if normal_host(host) in WILDCARDS:
        allowed |= this_machine()
    return frozenset(allowed - {""})


def this_machine() -> set[str]:
    """This machine's names, and the addresses of its network interfaces (Linux's /proc) and names."""
    names = {socket.gethostname(), socket.getfqdn()}
    for name in list(names):
        try:
            names |= {info[4][0] for info in socket.getaddrinfo(name, None)}
        except OSError:
            pass
    return {normal_host(name) for name in names | _interface_addresses()}


def _interface_addresses() -> set[str]:
    addresses = set()
    try:
        lines = Path("/proc/net/fib_trie").read_text().splitlines()
        addresses |= {lines[i - 1].split()[-1] for i, line in enumerate(lines) if i and line.strip() == "/32 host LOCAL"}
    except OSError:
        pass
    try:
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            addresses.add(ipaddress.IPv6Address(int(line.split()[0], 16)).compressed)
    except (OSError, ValueError, IndexError):
        pass
    return addresses


def normal_host(name: str) -> str:
    """A host name or address as compared: lower case, without brackets or a final dot."""
    return name.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


def host_of(header: str) -> str:
    """The host of a Host header: ``[::1]:8000`` -> ``::1``, ``localhost:8000`` -> ``localhost``."""
    header = header.strip()
    if header.startswith("["):
        end = header.find("]")
        return normal_host(header[: end + 1]) if end > 0 else ""
    return normal_host(header.rsplit(":", 1)[0] if header.count(":") == 1 else header)


def url_host(host: str) -> str:
    """How a URL names the server listening on ``host``: a wildcard by loopback, an IPv6 address in brackets."""
    host = normal_host(host)
    if host in WILDCARDS:
        host = "::1" if host == "::" else "127.0.0.1"
    return f"[{host}]" if ":" in host else host


class AllowedHosts:
    """ASGI middleware: 400 for a request whose Host header is not one of ``allowed``."""

    def __init__(self, app, allowed: frozenset[str]):
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or host_of(dict(scope["headers"]).get(b"host", b"").decode("latin-1")) in self.allowed:
            return await self.app(scope, receive, send)
        body = b"Invalid host header: this server answers only to its own names (see selfcheck serve --allow-host)."
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})
