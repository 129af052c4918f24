"""Memory of one gateway process while a hostile upstream answers (issue 13, item 5).

    python bench/hostile_upstream.py              # default cap (GATEWAY_UPSTREAM_MAX_BYTES, 64 MiB)
    GATEWAY_UPSTREAM_MAX_BYTES=2000000 python bench/hostile_upstream.py

A loopback server answers every list call with one attack; the gateway (the
real app, in this process, called through ASGI) is queried 5 times per
attack. Printed per attack: the error code, how many bytes the upstream sent
before the gateway hung up, and this process's RSS (VmRSS) after, with the
peak (VmHWM), in MiB. Numbers go to bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import os
import zlib
from collections.abc import Awaitable, Callable

import httpx

from gateway.app import create_app
from gateway.settings import load_settings

QUERY = '{ issue(id: "2") { events(first: 5) { nodes { eventID } } } }'
Attack = Callable[[asyncio.StreamWriter], Awaitable[int]]


def status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024


def gzip_bomb(decoded_mib: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    mib = bytes(1 << 20)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + repeated * (decoded_mib - 1) + compressor.flush()


def bomb_attack(body: bytes, coding: str) -> Attack:
    async def attack(writer: asyncio.StreamWriter) -> int:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
            % (coding.encode(), len(body))
        )
        for start in range(0, len(body), 65536):
            writer.write(body[start : start + 65536])
            await writer.drain()
        return len(body)

    return attack


async def endless(writer: asyncio.StreamWriter) -> int:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
    sent = 0
    while sent < 8 * 1024**3:
        writer.write(chunk)
        await writer.drain()
        sent += 65536
    return sent


async def run(name: str, attack: Attack) -> None:
    sent: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counted = [0]
        try:
            await reader.readuntil(b"\r\n\r\n")
            counted[0] = await attack(writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            sent.append(writer.transport.get_write_buffer_size() * 0 + (counted[0] or -1))
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    settings = load_settings(
        {**os.environ, "SENTRY_BASE_URL": base, "SENTRY_AUTH_TOKEN": "x", "SENTRY_MAX_RETRIES": "0", "GATEWAY_ACCESS_LOG": "0"}
    )
    app = create_app(settings)
    codes = set()
    async with server, app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost", timeout=60) as http:
            for _ in range(5):
                body = (await http.post("/graphql", json={"query": QUERY})).json()
                codes.update(error["extensions"]["code"] for error in body.get("errors", []))
        server.close()
    print(f"{name:32} codes={sorted(codes)} RSS {status_mib('VmRSS'):6.1f} MiB, peak {status_mib('VmHWM'):6.1f} MiB")


async def main() -> None:
    print(f"cap {load_settings(dict(os.environ)).upstream_max_bytes} bytes; start RSS {status_mib('VmRSS'):.1f} MiB")
    await run("warm-up (empty gzip page)", bomb_attack(zlib.compress(b"[]"), "deflate"))
    print(f"baseline after warm-up: RSS {status_mib('VmRSS'):.1f} MiB, peak {status_mib('VmHWM'):.1f} MiB")
    bomb = gzip_bomb(4096)  # 4 GiB decoded
    print(f"gzip bomb: {len(bomb) / 1e6:.1f} MB on the wire, 4096 MiB decoded")
    await run("gzip bomb, 4 GiB decoded", bomb_attack(bomb, "gzip"))
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    double = inner.compress(gzip_bomb(64)) + inner.flush()
    await run("gzip, gzip (64 MiB inner bomb)", bomb_attack(double, "gzip, gzip"))
    await run("endless chunked body", endless)


if __name__ == "__main__":
    asyncio.run(main())
