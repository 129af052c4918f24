"""uvicorn's httptools protocol with a request header size limit and read timeouts.

uvicorn bounds neither: its httptools protocol accumulates a request's headers
for as long as they come (a 200 MB header was accepted) and waits forever for
the rest of a request (slowloris: connections that send a byte now and then
stay open, each holding memory and a file descriptor). An ASGI middleware
cannot help: the app is called only after the headers are complete. So this
subclass guards the two phases where uvicorn itself reads, and calls uvicorn
for everything else:

* header bytes (request line and headers) of one request are counted as they
  arrive; past `HttpLimits.max_header_bytes` the request is answered 431 and
  the connection closed, before the parser buffers more;
* a request's headers must arrive within `header_timeout` seconds (from the
  connection's start, or from the request's first byte on a kept-alive
  connection), then its body within `body_timeout` seconds; a late client
  gets 408 and its connection closed (if no response is under way).

Idle kept-alive connections are uvicorn's own ``timeout_keep_alive``.
``serve`` uses `GuardedHttpToolsProtocol` (limits from the settings);
`guarded_protocol` makes a class with explicit limits (tests).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from gateway.settings import load_settings

__all__ = ["GuardedHttpToolsProtocol", "HttpLimits", "guarded_protocol"]


@dataclass(frozen=True)
class HttpLimits:
    max_header_bytes: int
    header_timeout: float
    body_timeout: float


@functools.cache
def _limits_from_settings() -> HttpLimits:
    settings = load_settings()
    return HttpLimits(settings.max_header_bytes, settings.header_timeout, settings.body_timeout)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """One connection (see the module docstring). ``limits`` None: from the settings."""

    limits: ClassVar[HttpLimits | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = self.limits or _limits_from_settings()
        self._max_header_bytes = limits.max_header_bytes
        self._header_timeout = limits.header_timeout
        self._body_timeout = limits.body_timeout
        self._in_headers = True  # the next bytes belong to a request's headers
        self._header_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._header_timeout, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        while self._in_headers:
            if self._deadline is None:
                self._arm(self._header_timeout, self._headers_late)
            room = self._max_header_bytes - self._header_bytes
            if len(data) <= room:
                self._header_bytes += len(data)
                break
            # Feed what may still be headers; the rest only if they ended there.
            super().data_received(data[:room])
            if self.transport.is_closing():
                return
            if self._in_headers:
                self._refuse(
                    431,
                    f"The request's headers are larger than {self._max_header_bytes} bytes.",
                )
                return
            data = data[room:]
        super().data_received(data)

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the connection is the WebSocket protocol's from here on
        super().handle_websocket_upgrade()

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        self._arm(self._body_timeout, self._body_late)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_headers = True
        super().on_message_complete()

    # ------------------------------------------------------------------ deadlines

    def _arm(self, seconds: float, callback: Callable[[], None]) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_late(self) -> None:
        self._deadline = None
        self._late(f"The request's headers did not arrive within {self._header_timeout:g} seconds.")

    def _body_late(self) -> None:
        self._deadline = None
        self._late(f"The request's body did not arrive within {self._body_timeout:g} seconds.")

    def _late(self, message: str) -> None:
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            self.transport.close()  # a response is under way: no room for another
        else:
            self._refuse(408, message)

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` with a coded error and close the connection."""
        body = json.dumps(
            {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
        ).encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.append(
            b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(body)
        )
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def guarded_protocol(
    *, max_header_bytes: int, header_timeout: float, body_timeout: float
) -> type[GuardedHttpToolsProtocol]:
    """A `GuardedHttpToolsProtocol` class with these limits (for ``uvicorn.Config(http=...)``)."""
    limits = HttpLimits(max_header_bytes, header_timeout, body_timeout)
    return type("GuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,), {"limits": limits})
