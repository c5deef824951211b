"""A small HTTP/1.1 client for one job: POST a message to a push service and read its short answer.

Why not aiohttp: measured on the 2-core machine, aiohttp's client costs about three times the CPU
of this one per push (its general machinery: URL objects, cookie and redirect handling, tracing,
multidicts, payload objects), more than the encryption itself, and pushes are CPU-bound. What a push
needs is little: keep-alive connections per push service (TLS with certificate checks for https),
a request with a few headers and a body of at most 4 KB, and an answer (status, headers, a small
body: by Content-Length, chunked, or until close). Redirects are never followed; nothing here
decides where to post (`endpoints.check_endpoint` does, before).

Timeouts are two phases, as `transport.Timeouts` describes them: getting a connection (a free slot,
and a new connection's TCP and TLS set-up) raises `ConnectTimeout` (the message never left), the
request and its answer `AnswerTimeout` (it may have arrived). A connection whose answer did not
come whole is closed, never reused.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from urllib.parse import SplitResult

MAX_HEAD = 16 * 1024
MAX_BODY = 64 * 1024
_ALLOWED_TARGET = frozenset(range(0x21, 0x7F))


class ProtocolError(Exception):
    """The push service's answer is not HTTP/1.1 as it should be."""


class ConnectTimeout(TimeoutError):
    """No connection within the connect timeout: the message was not sent."""


class AnswerTimeout(TimeoutError):
    """No (whole) answer within the request timeout: the message may have arrived."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes
    keep_alive: bool


def _chunked(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """(body, end) of a complete chunked body starting at `start`, or None while incomplete."""
    body, pos = bytearray(), start
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None
        try:
            size = int(bytes(buffer[pos:line_end]).split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise ProtocolError("bad chunk size") from None
        pos = line_end + 2
        if size == 0:
            # Trailers (usually none), then an empty line.
            if buffer[pos:pos + 2] == b"\r\n":
                return bytes(body), pos + 2
            end = buffer.find(b"\r\n\r\n", pos)
            return (bytes(body), end + 4) if end >= 0 else None
        if len(buffer) < pos + size + 2:
            return None
        body += buffer[pos:pos + size]
        if len(body) > MAX_BODY:
            raise ProtocolError("answer body too long")
        pos += size + 2


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed = False
        self.idle_since = time.monotonic()
        self._head: tuple[int, dict[str, str], bool, str, int] | None = None

    # --- asyncio.Protocol -------------------------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            if self.waiter is None:  # nothing asked: an idle connection must not talk
                self.close()
            return
        try:
            self._complete(eof=False)
        except ProtocolError as exc:
            self._fail(exc)

    def eof_received(self) -> bool:
        if self.waiter is not None and not self.waiter.done():
            try:
                self._complete(eof=True)
            except ProtocolError as exc:
                self._fail(exc)
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            try:
                self._complete(eof=True)
            except ProtocolError as error:
                self._fail(error)
            if not self.waiter.done():
                self._fail(ConnectionResetError("the push service closed the connection before answering"))

    # --- one request ------------------------------------------------------------------------------

    async def request(self, data: list[bytes]) -> Response:
        if self.closed or self.transport is None or self.transport.is_closing():
            raise ConnectionResetError("connection closed")
        self.buffer.clear()
        self._head = None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.writelines(data)
        try:
            return await self.waiter
        finally:
            self.waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        self.close()

    def _parse_head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                raise ProtocolError("answer head too long")
            return False
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        try:
            status = int(rest[:3])
        except ValueError:
            raise ProtocolError(f"bad status line {lines[0][:40]!r}") from None
        if not version.startswith("HTTP/1."):
            raise ProtocolError(f"bad status line {lines[0][:40]!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise ProtocolError("bad header line")
            name = name.strip().lower()
            headers[name] = f"{headers[name]}, {value.strip()}" if name in headers else value.strip()
        del self.buffer[:end + 4]
        if 100 <= status < 200:  # an interim answer (we never ask for one): the real one follows
            return self._parse_head()
        keep_alive = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
        if status in (204, 304):
            framing, length = "length", 0
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            framing, length = "chunked", 0
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise ProtocolError("bad Content-Length") from None
            if not 0 <= length <= MAX_BODY:
                raise ProtocolError("answer body too long")
            framing = "length"
        else:
            framing, length, keep_alive = "close", 0, False
        self._head = (status, headers, keep_alive, framing, length)
        return True

    def _complete(self, eof: bool) -> None:
        if self._head is None and not self._parse_head():
            return
        status, headers, keep_alive, framing, length = self._head
        if framing == "length":
            if len(self.buffer) < length:
                return
            body = bytes(self.buffer[:length])
            del self.buffer[:length]
        elif framing == "chunked":
            parsed = _chunked(self.buffer, 0)
            if parsed is None:
                return
            body, end = parsed
            del self.buffer[:end]
        else:
            if len(self.buffer) > MAX_BODY:
                raise ProtocolError("answer body too long")
            if not eof:
                return
            body = bytes(self.buffer)
            self.buffer.clear()
        if self.buffer:  # more than one answer to one request
            keep_alive = False
        self.waiter.set_result(Response(status, headers, body, keep_alive and not eof))


class PushHTTP:
    """Keep-alive connections to push services: at most `limit` in use at once, `limit_per_host` to one
    push service (`scheme://host:port`); idle ones are closed after `keepalive` seconds."""

    def __init__(self, limit: int, limit_per_host: int, keepalive: float = 15.0) -> None:
        self.limit, self.limit_per_host, self.keepalive = limit, limit_per_host, keepalive
        self._all = asyncio.Semaphore(limit)
        self._per_host: dict[tuple, asyncio.Semaphore] = {}
        self._idle: dict[tuple, list[_Connection]] = {}
        self._ssl: ssl.SSLContext | None = None
        self._closed = False

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
            self._ssl.set_alpn_protocols(["http/1.1"])
        return self._ssl

    async def post(self, url: SplitResult, headers: dict[str, str], body: bytes, connect_timeout: float,
                   request_timeout: float) -> Response:
        if self._closed:
            raise RuntimeError("client closed")
        target = url.path or "/"
        if url.query:
            target += "?" + url.query
        if url.scheme not in ("http", "https") or not url.hostname or not set(target.encode()) <= _ALLOWED_TARGET:
            raise ValueError("endpoint is not a plain http(s) URL")
        port = url.port or (443 if url.scheme == "https" else 80)
        key = (url.scheme, url.hostname, port)
        host_slots = self._per_host.get(key)
        if host_slots is None:
            host_slots = self._per_host[key] = asyncio.Semaphore(self.limit_per_host)
        head = [f"POST {target} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Length: {len(body)}\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in headers.items()]
        head.append("\r\n")
        data = ["".join(head).encode("latin-1"), body]
        slots_taken = 0
        connection: _Connection | None = None
        reuse = False
        try:
            try:
                async with asyncio.timeout(connect_timeout):
                    await self._all.acquire()
                    slots_taken = 1
                    await host_slots.acquire()
                    slots_taken = 2
                    connection = await self._connection(key)
            except TimeoutError:
                raise ConnectTimeout(f"no connection to {url.netloc} within {connect_timeout:g} s") from None
            try:
                async with asyncio.timeout(request_timeout):
                    response = await connection.request(data)
            except TimeoutError:
                raise AnswerTimeout(f"no answer from {url.netloc} within {request_timeout:g} s") from None
            reuse = response.keep_alive
            return response
        finally:
            if connection is not None:
                if reuse and not self._closed and not connection.closed:
                    connection.idle_since = time.monotonic()
                    self._idle.setdefault(key, []).append(connection)
                else:
                    connection.close()
            if slots_taken == 2:
                host_slots.release()
            if slots_taken >= 1:
                self._all.release()

    async def _connection(self, key: tuple) -> _Connection:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.closed or now - connection.idle_since > self.keepalive:
                connection.close()
                continue
            return connection
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        tls = self._tls() if scheme == "https" else None
        _, connection = await loop.create_connection(_Connection, host, port, ssl=tls,
                                                     server_hostname=host if tls else None)
        return connection

    async def close(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
