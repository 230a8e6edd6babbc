"""The web questionnaire's guards on their own (web.security): CSRF tokens, the body cap, the headers
and the Host check, each driven as the server drives it, one ASGI message at a time."""

from __future__ import annotations

import asyncio

from selfcheck.web import security
from selfcheck.web.security import CSP, HEADERS, MAX_BODY, AllowedHosts, Csrf, LimitBody, SecurityHeaders, host_of, hosts_allowed, normal_host, url_host


def call(middleware_of, headers=(), bodies=(b"",), respond=None):
    """The messages ``middleware_of(app)`` sends for one request, and what the app received."""
    received, sent = [], []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            received.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        for message in respond or [
            {"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"1")]},
            {"type": "http.response.body", "body": b"ok"},
        ]:
            await send(message)

    messages = [{"type": "http.request", "body": body, "more_body": i < len(bodies) - 1} for i, body in enumerate(bodies)]

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "headers": list(headers)}
    asyncio.run(middleware_of(app)(scope, receive, send))
    return sent, received


def test_a_csrf_token_is_valid_only_for_its_session_and_this_process():
    csrf, other = Csrf(), Csrf()
    session = Csrf.new_session()
    assert len(session) == 43 and session != Csrf.new_session()  # 32 random bytes
    token = csrf.token(session)
    assert len(token) == 64 and csrf.token(session) == token and other.token(session) != token
    assert csrf.valid(session, token)
    assert not csrf.valid(session, other.token(session)) and not csrf.valid(Csrf.new_session(), token)
    assert not csrf.valid(None, token) and not csrf.valid(session, None) and not csrf.valid("", "") and not csrf.valid(session, "")


def test_a_body_announced_over_the_cap_is_refused_before_the_app_reads_it():
    sent, received = call(LimitBody, headers=[(b"content-length", str(MAX_BODY + 1).encode())])
    body = (
        b"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Too large</title><p>The form sent is larger than 256 KiB, "
        b"so it was refused and nothing was saved. Shorten the longest answers and save again.</p></html>"
    )
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    assert received == []
    assert sent == [{"type": "http.response.start", "status": 413, "headers": headers}, {"type": "http.response.body", "body": body}]
    assert call(LimitBody, headers=[(b"content-length", b"-1")])[0][0]["status"] == 413


def test_a_body_at_the_cap_is_read_and_one_byte_more_streamed_is_refused():
    sent, received = call(lambda app: LimitBody(app, limit=10), headers=[(b"content-length", b"10")], bodies=(b"12345", b"67890"))
    assert sent[0]["status"] == 200 and received == [b"12345", b"67890"]
    sent, received = call(lambda app: LimitBody(app, limit=10), bodies=(b"12345", b"678901"))
    assert sent[0]["status"] == 413 and received == [b"12345"]
    assert MAX_BODY == 256 * 1024


def test_a_body_over_the_cap_after_the_response_started_ends_it_without_a_second_start():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await receive()
        await receive()

    sent = []

    async def receive():
        return {"type": "http.request", "body": b"x" * 8, "more_body": True}

    async def send(message):
        sent.append(message)

    asyncio.run(LimitBody(app, limit=10)({"type": "http", "headers": []}, receive, send))
    assert [message["type"] for message in sent] == ["http.response.start"]


def test_every_response_forbids_framing_sniffing_and_scripts_from_elsewhere():
    sent, _ = call(SecurityHeaders)
    headers = dict(sent[0]["headers"])
    assert headers[b"x-app"] == b"1"
    for name, value in HEADERS.items():
        assert headers[name.lower().encode()] == value.encode()
    assert headers[b"content-security-policy"] == CSP.encode()
    assert sent[1] == {"type": "http.response.body", "body": b"ok"}


def test_a_response_that_sets_its_own_policy_keeps_it():
    own = [
        {"type": "http.response.start", "status": 200, "headers": [(b"Content-Security-Policy", b"style-src 'unsafe-inline'")]},
        {"type": "http.response.body", "body": b""},
    ]
    sent, _ = call(SecurityHeaders, respond=own)
    policies = [value for name, value in sent[0]["headers"] if name.lower() == b"content-security-policy"]
    assert policies == [b"style-src 'unsafe-inline'"]


def test_only_requests_naming_this_server_are_answered():
    allowed = frozenset({"127.0.0.1", "localhost", "::1"})
    assert call(lambda app: AllowedHosts(app, allowed), headers=[(b"host", b"localhost:8000")])[0][0]["status"] == 200
    sent, received = call(lambda app: AllowedHosts(app, allowed), headers=[(b"host", b"evil.example:8000")])
    body = b"Invalid host header: this server answers only to its own names (see selfcheck serve --allow-host)."
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    assert received == []
    assert sent == [{"type": "http.response.start", "status": 400, "headers": headers}, {"type": "http.response.body", "body": body}]
    assert call(lambda app: AllowedHosts(app, allowed))[0][0]["status"] == 400
    assert call(lambda app: AllowedHosts(app, frozenset({"xxxx"})))[0][0]["status"] == 400  # no Host header names no host


def test_middlewares_pass_what_is_not_http_untouched():
    for middleware in (LimitBody, SecurityHeaders, lambda app: AllowedHosts(app, frozenset())):
        seen = []

        async def app(scope, receive, send):
            seen.append((scope, await receive()))
            await send({"type": "lifespan.startup.complete"})

        async def receive():
            return {"type": "lifespan.startup"}

        async def send(message):
            seen.append(message)

        scope = {"type": "lifespan"}
        asyncio.run(middleware(app)(scope, receive, send))
        assert seen == [(scope, {"type": "lifespan.startup"}), {"type": "lifespan.startup.complete"}]


def test_middlewares_hand_the_app_the_request_they_were_given():
    for middleware in (LimitBody, SecurityHeaders, lambda app: AllowedHosts(app, frozenset({"localhost"}))):
        scopes = []

        async def app(scope, receive, send):
            scopes.append(scope)
            await send({"type": "http.response.start", "status": 204})

        async def send(message):
            pass

        scope = {"type": "http", "headers": [(b"host", b"localhost")]}
        asyncio.run(middleware(app)(scope, None, send))
        assert scopes == [scope]


def test_a_response_start_without_headers_gets_the_security_headers():
    sent, _ = call(SecurityHeaders, respond=[{"type": "http.response.start", "status": 204}])
    assert dict(sent[0]["headers"])[b"x-frame-options"] == b"DENY" and sent[0]["status"] == 204


def test_host_names_are_compared_in_one_form():
    assert normal_host(" LocalHost. ") == "localhost" and normal_host("[::1]") == "::1"
    assert host_of("[::1]:8000") == "::1" and host_of("[::1]") == "::1" and host_of("[::1") == "" and host_of("[::1]x]") == "::1"
    assert host_of("LOCALHOST:8000") == "localhost" and host_of("localhost") == "localhost" and host_of("::1") == "::1"
    assert url_host("0.0.0.0") == "127.0.0.1" and url_host("::") == "[::1]" and url_host("") == "127.0.0.1"
    assert url_host("192.0.2.5") == "192.0.2.5" and url_host("fe80::1") == "[fe80::1]"


def test_a_server_listening_on_one_address_answers_to_loopback_and_the_names_given(monkeypatch):
    monkeypatch.setattr(security, "this_machine", lambda: {"machine.example", "192.0.2.7"})
    assert hosts_allowed("127.0.0.1") == frozenset({"127.0.0.1", "localhost", "::1"})
    assert hosts_allowed("192.0.2.5", ("Intranet.Example.",)) == frozenset({"127.0.0.1", "localhost", "::1", "192.0.2.5", "intranet.example"})
    assert hosts_allowed("0.0.0.0") == frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0", "machine.example", "192.0.2.7"})
    assert hosts_allowed("::") >= {"machine.example"} and "" not in hosts_allowed("")


def test_this_machine_is_known_by_its_names_and_interface_addresses(monkeypatch, tmp_path):
    monkeypatch.setattr(security.socket, "gethostname", lambda: "Box")
    monkeypatch.setattr(security.socket, "getfqdn", lambda: "box.example.")
    monkeypatch.setattr(security.socket, "getaddrinfo", lambda name, port: [(None, None, None, None, ("192.0.2.9" if name == "Box" else "2001:db8::9", 0))])
    monkeypatch.setattr(security, "_interface_addresses", lambda: {"10.1.2.3"})
    assert security.this_machine() == {"box", "box.example", "192.0.2.9", "2001:db8::9", "10.1.2.3"}

    def unresolved(name, port):
        raise OSError("no such name")

    monkeypatch.setattr(security.socket, "getaddrinfo", unresolved)
    assert security.this_machine() == {"box", "box.example", "10.1.2.3"}


def test_interface_addresses_are_read_from_procs_tables(monkeypatch, tmp_path):
    fib_trie = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 192.0.2.44\n        /32 host LOCAL\n     |-- 192.0.2.255\n        /32 link BROADCAST\n"
    if_inet6 = "not-hex 01 80 10 80 lo\n20010db8000000000000000000000044 02 40 00 80 eth0\n"
    files = {"/proc/net/fib_trie": fib_trie, "/proc/net/if_inet6": if_inet6}
    real_path = security.Path

    class FakePath:
        def __init__(self, name):
            self.name = name

        def read_text(self):
            if self.name not in files:
                raise OSError(self.name)
            return files[self.name]

    monkeypatch.setattr(security, "Path", FakePath)
    assert security._interface_addresses() == {"192.0.2.44"}  # the bad IPv6 line stops the reading of that table
    files["/proc/net/if_inet6"] = if_inet6.splitlines()[1]
    assert security._interface_addresses() == {"192.0.2.44", "2001:db8::44"}
    del files["/proc/net/fib_trie"], files["/proc/net/if_inet6"]
    assert security._interface_addresses() == set()
    monkeypatch.setattr(security, "Path", real_path)
