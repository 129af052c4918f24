"""A fast Sentry-compatible upstream for benchmarks: pre-serialized pages over raw asyncio.

    python bench/upstream.py --port 9100

Serves ``GET /api/0/issues/{id}/events/`` for issues 2..11 (``--issues``) with the
demo data of issue 2 (`gateway.demo`), relabelled per issue (``groupID``), in both of
Sentry's shapes: the simple serializer and ``full=true``. Full events are enlarged
(context lines widened to 11, ``vars`` on every frame, richer breadcrumb data) so a
page of 100 is ~1.9 MB, the size quoted in issue 5. Each event is serialized once,
tiled back in time (`Pages`) and served by window: ``start``/``end`` (whole seconds,
end exclusive), ``cursor`` offsets and ``per_page`` are honoured as Sentry does, with
its Link header; ``environment``, ``query`` and authorization are ignored. HTTP/1.1 keep-alive; no request bodies.

The issue itself (issue 14's workloads), from the demo's issue 2 relabelled per id:
``GET /api/0/organizations/`` lists one organization (``bench``), so the gateway uses
the organization routes (the events list answers on both forms); the organization
issue index answers ``group=`` ids 1-10000; ``.../issues/{id}/`` the issue,
``.../issues/{id}/tags/`` its facets, ``.../events/latest/`` the first full event.
``GET /_bench/requests`` answers how many requests were served so far (the harness
reads it to report upstream calls per query).

``--dump DIR`` writes the 100-event pages of issue 2 and exits (to inspect sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import calendar
import copy
import functools
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE_EVENTS = 100
_VAR_NAMES = (
    "request", "user_id", "response", "self", "kwargs", "args", "retries", "settings", "cache", "conn", "query", "timeout",
)


def _fetch_demo_issue() -> tuple[dict, list[dict]]:
    """Issue 2 from the demo's issue index (the gateway's parameters) and its tag facets."""
    import httpx

    from gateway.demo.app import create_demo_app
    from gateway.demo.store import DEMO_TOKEN

    async def fetch() -> tuple[dict, list[dict]]:
        transport = httpx.ASGITransport(app=create_demo_app(url_prefix="http://bench"))
        headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
            index = await client.get(
                "/api/0/organizations/demo/issues/",
                params=[("project", "-1"), ("groupStatsPeriod", ""), ("collapse", "lifetime"), ("collapse", "filtered"), ("group", "2")],
            )
            tags = await client.get("/api/0/organizations/demo/issues/2/tags/", params={"limit": 5})
            return index.json()[0], tags.json()

    return asyncio.run(fetch())


def _response(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)


class Issues:
    """Pre-serialized answers for the issue endpoints (issue 2's, relabelled per id)."""

    def __init__(self, latest_event: dict) -> None:
        self.item, tags = _fetch_demo_issue()
        self.organizations = _response(json.dumps([{"id": "1", "slug": "bench", "name": "Bench"}]).encode())
        self.tags = _response(json.dumps(tags).encode())
        self.latest = _response(json.dumps(latest_event).encode())
        self.cache: dict[str, bytes] = {}

    def one(self, issue_id: str) -> dict:
        return dict(self.item, id=issue_id, shortId=f"BENCH-{issue_id}")

    def detail(self, issue_id: str) -> bytes:
        return _response(json.dumps(self.one(issue_id)).encode())

    def index(self, query: str) -> bytes:
        cached = self.cache.get(query)
        if cached is None:
            ids = dict.fromkeys(v for k, v in parse_qsl(query) if k == "group" and v.isdigit() and 0 < int(v) <= 10000)
            cached = _response(json.dumps([self.one(i) for i in ids]).encode())
            if len(self.cache) < 1000:
                self.cache[query] = cached
        return cached


def _fetch_demo_pages() -> tuple[list[dict], list[dict]]:
    """Issue 2's first 100 events from the embedded demo upstream, full and simple."""
    import httpx

    from gateway.demo.app import create_demo_app
    from gateway.demo.store import DEMO_TOKEN

    async def fetch() -> tuple[list[dict], list[dict]]:
        transport = httpx.ASGITransport(app=create_demo_app(url_prefix="http://bench"))
        headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
            full = await client.get("/api/0/issues/2/events/", params={"full": "true", "per_page": PAGE_EVENTS})
            simple = await client.get("/api/0/issues/2/events/", params={"per_page": PAGE_EVENTS})
            full.raise_for_status()
            simple.raise_for_status()
            return full.json(), simple.json()

    return asyncio.run(fetch())


def _enlarge(event: dict, seq: int) -> dict:
    """Widen a full event to the realistic size: 11 context lines and vars per frame, richer crumbs."""
    event = copy.deepcopy(event)
    for entry in event.get("entries", []):
        if entry.get("type") == "exception":
            for value in entry["data"].get("values") or []:
                for frame in (value.get("stacktrace") or {}).get("frames") or []:
                    lineno = frame.get("lineNo") or 10
                    lines = {n: text for n, text in frame.get("context") or []}
                    for n in range(lineno - 5, lineno + 6):
                        lines.setdefault(n, f"    # {frame.get('module') or 'app'}:{n} step {(n * 7 + seq) % 13}")
                    frame["context"] = [[n, lines[n]] for n in sorted(lines) if n > 0]
                    if not frame.get("vars"):
                        frame["vars"] = {
                            name: f"<{name} object at 0x7f{(seq * 131 + i * 17) % 65536:04x}{lineno:04x} state=ready refs=2>"
                            for i, name in enumerate(_VAR_NAMES)
                        }
        elif entry.get("type") == "breadcrumbs":
            for i, crumb in enumerate(entry["data"].get("values") or []):
                data = dict(crumb.get("data") or {})
                data.setdefault("thread", f"MainThread-{i % 4}")
                data.setdefault("duration_ms", (seq * 37 + i * 11) % 900)
                data.setdefault("span_id", f"{(seq * 7919 + i * 104729) % (1 << 48):012x}")
                crumb["data"] = data
                if crumb.get("message") is None:
                    crumb["message"] = f"step {i} of request {seq}: {crumb.get('category') or 'default'}"
    return event


class Pages:
    """Issue 2's first 100 events, tiled back in time into a longer list, served by window.

    The gateway pages by value (whole-second ``start``/``end``, offsets only inside one
    answer; `gateway.schema.paging.seek`), so this upstream honours ``start``, ``end``,
    ``cursor`` offsets and ``per_page`` the way Sentry does, over ``TILES`` copies of the
    100 events, each copy older than the last and with its own event ids. Each event's
    JSON is serialized once; a page is a join of those bytes.
    """

    TILES = 10

    def __init__(self, issues: list[str]) -> None:
        full, simple = _fetch_demo_pages()
        self.issues = set(issues)
        seconds = [_second(event["dateCreated"]) for event in simple]
        span = seconds[0] - seconds[-1] + 60
        self.seconds: list[int] = []
        self.parts: dict[tuple[str, bool], list[bytes]] = {}
        for tile in range(self.TILES):
            self.seconds += [second - tile * span for second in seconds]
        #: Issue 2's first 100 events, as the demo serves them (full ones enlarged).
        self.events = {True: [_enlarge(e, seq) for seq, e in enumerate(full)], False: simple}
        for issue in issues:
            for is_full, events in self.events.items():
                parts = []
                for tile in range(self.TILES):
                    for event in events:
                        copy_ = dict(event, groupID=issue)
                        copy_["eventID"] = f"{tile:02x}{event['eventID'][2:]}"
                        copy_["id"] = copy_["eventID"]
                        if "dateCreated" in copy_:
                            copy_["dateCreated"] = _iso(_second(event["dateCreated"]) - tile * span)
                        parts.append(json.dumps(copy_).encode())
                self.parts[(issue, is_full)] = parts

    def body(self, issue: str, full: bool, per_page: int) -> bytes:
        return b"[" + b",".join(self.parts[(issue, full)][:per_page]) + b"]"

    def get(self, issue: str, full: bool, query: dict[str, str]) -> bytes:
        """The whole HTTP response (status line, headers, body) for one request."""
        per_page = max(1, min(PAGE_EVENTS, int(query.get("per_page", "100"))))
        offset = int((query.get("cursor") or "0:0:0").split(":")[1])
        hi = _second(query["end"]) if "end" in query else None
        lo = _second(query["start"]) if "start" in query else None
        # seconds are newest first: the window is one contiguous run of indexes
        first = 0 if hi is None else bisect.bisect_left(self._negated, -hi + 1)
        last = len(self.seconds) if lo is None else bisect.bisect_right(self._negated, -lo)
        start = first + offset
        stop = min(last, start + per_page)
        body = b"[" + b",".join(self.parts[(issue, full)][start:stop]) + b"]"
        more = stop < last
        base = f"http://127.0.0.1/api/0/issues/{issue}/events/?{'full=true&' if full else ''}per_page={per_page}"
        link = (
            f'<{base}&cursor=0:{max(0, offset - per_page)}:1>; rel="previous"; results="{str(offset > 0).lower()}"; '
            f'cursor="0:{max(0, offset - per_page)}:1", '
            f'<{base}&cursor=0:{offset + per_page}:0>; rel="next"; results="{str(more).lower()}"; cursor="0:{offset + per_page}:0"'
        )
        head = (
            "HTTP/1.1 200 OK\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(body)}\r\n"
            f"link: {link}\r\n"
            "\r\n"
        )
        return head.encode() + body

    @functools.cached_property
    def _negated(self) -> list[int]:
        return [-second for second in self.seconds]


def _second(text: str) -> int:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return calendar.timegm(when.utctimetuple())


def _iso(second: int) -> str:
    return datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_NOT_FOUND = (
    b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 29\r\n\r\n"
    b'{"detail": "Issue not found"}'
)


def make_handler(pages: Pages, issues: Issues):
    served = [0]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                target = head.split(b" ", 2)[1].decode()
                url = urlsplit(target)
                parts = url.path.strip("/").split("/")
                if parts == ["_bench", "requests"]:
                    writer.write(_response(str(served[0]).encode()))
                    await writer.drain()
                    continue
                served[0] += 1
                if parts[:4] == ["api", "0", "organizations", "bench"]:
                    parts = ["api", "0", *parts[4:]]  # the organization route: same answers
                # api/0/issues/{id}/events
                if len(parts) == 5 and parts[:3] == ["api", "0", "issues"] and parts[4] == "events" and parts[3] in pages.issues:
                    query = dict(parse_qsl(url.query))
                    writer.write(pages.get(parts[3], query.get("full") == "true", query))
                elif parts == ["api", "0", "organizations"]:
                    writer.write(issues.organizations)
                elif parts == ["api", "0", "issues"]:
                    writer.write(issues.index(url.query))
                elif len(parts) == 4 and parts[2] == "issues" and parts[3].isdigit():
                    writer.write(issues.detail(parts[3]))
                elif len(parts) == 5 and parts[2] == "issues" and parts[4] == "tags":
                    writer.write(issues.tags)
                elif len(parts) == 6 and parts[2] == "issues" and parts[4:] == ["events", "latest"]:
                    writer.write(issues.latest)
                else:
                    writer.write(_NOT_FOUND)
                await writer.drain()
        finally:
            writer.close()

    return handle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--issues", default="2-11", help="issue id range served (default 2-11)")
    parser.add_argument("--dump", metavar="DIR", help="write issue 2's 100-event pages to DIR and exit")
    args = parser.parse_args()
    low, high = (int(x) for x in args.issues.split("-"))
    pages = Pages([str(n) for n in range(low, high + 1)])
    if args.dump:
        out = Path(args.dump)
        out.mkdir(parents=True, exist_ok=True)
        (out / "full-100.json").write_bytes(pages.body("2", True, 100))
        (out / "simple-100.json").write_bytes(pages.body("2", False, 100))
        for name in ("full-100.json", "simple-100.json"):
            print(name, (out / name).stat().st_size, "bytes")
        return

    issues = Issues(pages.events[True][0])  # asyncio.run inside: before the server's loop

    async def serve() -> None:
        server = await asyncio.start_server(make_handler(pages, issues), args.host, args.port, backlog=1024)
        print(f"bench upstream on http://{args.host}:{args.port}", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
