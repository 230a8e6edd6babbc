"""The web server under the questionnaire (uvicorn), with the guards a server on a ministry's network
needs and uvicorn lacks or leaves off:

- a deadline for each request's headers (from the connection, or from the previous response) and
  one for its body: a client that sends them too slowly is answered 408 and cut off, so half-sent
  requests cannot hold the server's connections;
- at most ``max_connections`` open connections (a connection beyond them is answered 503 and
  closed), and as many requests answered at once (uvicorn's ``limit_concurrency``); the process
  may open enough files for them;
- the log says so in one line at most once a minute, however many clients are cut off, refused or
  go away in the middle of a request (and so do uvicorn's warnings of malformed requests and of its concurrency limit);
  and a page that fails is one traceback in it (the error page's), not two (``Answered``);
- headers of at most MAX_HEADERS bytes (h11's limit, stated), and idle keep-alive connections
  closed after KEEP_ALIVE seconds;
- ``X-Forwarded-For`` and ``X-Forwarded-Proto`` trusted only from the proxies named
  (``forwarded_allow_ips``): by default from none, not even 127.0.0.1, so that a client cannot
  choose the address its failed logins are counted under.
"""

from __future__ import annotations

import asyncio
import logging
import math
import resource
import time
from dataclasses import dataclass

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from selfcheck.web.security import TrackedSend

MAX_HEADERS = 16 * 1024
KEEP_ALIVE = 5
SPARE_FILES = 256  # files the process opens besides its connections: answers, database, templates
log = logging.getLogger("selfcheck.web")


@dataclass(frozen=True)
class Limits:
    max_connections: int = 500
    header_timeout: float = 10
    body_timeout: float = 30


TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: 44\r\n\r\nThe request was sent too slowly: send again."
HEADERS_TOO_LONG = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: 35\r\n\r\nThe request's headers are too long."
TOO_MANY = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\nretry-after: 10\r\ncontent-length: 41\r\n\r\nToo many connections: try again shortly."


class Tally:
    """A kind of event in the log: one line at its first, then at most one a minute, with how many since the last."""

    def __init__(self, said: str):
        self.said, self.count, self.logged = said, 0, -math.inf
        self.first: tuple[str, ...] = ()

    def add(self, *detail: str) -> None:
        """One more; ``detail``, of the first since the last line, fills the line's other places."""
        if not self.count:
            self.first = detail
        self.count += 1
        if time.monotonic() - self.logged >= 60:
            log.warning(self.said, self.count, *self.first)
            self.count, self.logged = 0, time.monotonic()


class OncePerMinute(logging.Filter):
    """uvicorn's own warnings that a client can cause at will (a malformed request, the concurrency
    limit): each kind let through at most once a minute."""

    def __init__(self) -> None:
        super().__init__()
        self.logged: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        now, said = time.monotonic(), str(record.msg)
        if now - self.logged.get(said, -math.inf) < 60:
            return False
        self.logged[said] = now
        return True


TOO_SLOW = Tally("cut off %d client(s) too slow to send a request (--header-timeout, --body-timeout); at most one such line a minute")
REFUSED = Tally("refused %d connection(s) beyond --max-connections; at most one such line a minute")
TOO_LONG = Tally("refused %d request(s) whose headers were over 16 KiB; at most one such line a minute")
GONE = Tally("%d client(s) went away before sending the whole request (the first: %s %s); nothing was saved by them; at most one such line a minute")


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 connection with a cap on connections and deadlines for what the client sends."""

    limits = Limits()
    deadline: asyncio.TimerHandle | None = None
    waiting_for: str | None = None  # what the client is to send next: headers or body
    head = b""  # the first bytes of the headers being received, up to MAX_HEADERS + 4

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            REFUSED.add()
            transport.write(TOO_MANY)
            transport.close()
            return
        self._watch()

    def data_received(self, data: bytes) -> None:
        if self.waiting_for == "headers":
            # h11 checks its limit only on a request still incomplete: headers arriving in one read
            # (up to 256 KiB) went through. The end of the headers must come within MAX_HEADERS.
            self.head = (self.head + data)[: MAX_HEADERS + 4]
            if len(self.head) > MAX_HEADERS and b"\r\n\r\n" not in self.head:
                TOO_LONG.add()
                self._disarm()
                self.transport.write(HEADERS_TOO_LONG)
                self.transport.close()
                return
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _watch(self) -> None:
        """A deadline for what the client is to send now, set once when it starts waiting for it:
        sending it a byte at a time does not put it off."""
        state = self.conn.their_state
        waiting_for = "headers" if state is h11.IDLE else "body" if state is h11.SEND_BODY else None
        if self.transport.is_closing():
            waiting_for = None
        if waiting_for != self.waiting_for:
            self._disarm()
            self.waiting_for, self.head = waiting_for, b""
            if waiting_for is not None:
                timeout = self.limits.header_timeout if waiting_for == "headers" else self.limits.body_timeout
                self.deadline = self.loop.call_later(timeout, self._too_slow)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _too_slow(self) -> None:
        """408 and the connection closed; a page waiting for the body is told the client is gone (and
        that this line said so already: ``too_slow`` in the request's state)."""
        self.deadline = None
        if self.transport.is_closing():
            return
        TOO_SLOW.add()
        if self.waiting_for == "body" and self.scope is not None:
            self.scope["state"]["too_slow"] = True
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(TIMED_OUT)
        self.transport.close()


class Answered:
    """ASGI: an exception the error page has answered goes no further. Starlette raises it again once
    its page is sent, for the server to log, but the error page has logged it already; one that
    was not answered still reaches uvicorn, which answers 500 and logs it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        tracked = TrackedSend(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if not tracked.started:
                raise


def make_server(app, *, limits: Limits, forwarded_allow_ips: str | None = None) -> uvicorn.Server:
    """uvicorn serving ``app`` with ``limits``, trusting forwarded headers only from ``forwarded_allow_ips``."""
    protocol = type("Guarded", (GuardedH11Protocol,), {"limits": limits})
    config = uvicorn.Config(
        Answered(app),
        log_level="warning",
        http=protocol,
        ws="none",
        lifespan="off",
        limit_concurrency=limits.max_connections + 1,  # requests still answered when their connection has gone count too
        timeout_keep_alive=KEEP_ALIVE,
        h11_max_incomplete_event_size=MAX_HEADERS,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or "",
        server_header=False,
    )
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(each, OncePerMinute) for each in uvicorn_log.filters):
        uvicorn_log.addFilter(OncePerMinute())
    return uvicorn.Server(config)


def files_for(connections: int) -> int:
    """Let the process open enough files for ``connections``, as far as the system allows; the
    number of connections it can then take."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    return connections if soft == resource.RLIM_INFINITY else max(1, min(connections, soft - SPARE_FILES))
