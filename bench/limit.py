"""The "Python limit": the least a Python HTTP service can do for the same answer.

One process, uvicorn with the same defaults as the gateway's (asyncio loop, h11),
one shared ``httpx.AsyncClient``: for each ``POST /graphql`` it reads the body,
GETs the REST page(s) from the upstream, ``json.loads`` them and ``json.dumps``
the result. No GraphQL at all. What to fetch comes from the query string, so the
load tool can POST the same GraphQL body it sends to the gateway:

    /graphql?issues=2&per_page=100&full=1     one page
    /graphql?issues=2-11&per_page=20           fan-out: ten pages fetched concurrently

    python bench/limit.py --port 9200 --upstream http://127.0.0.1:9100
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def create_app(upstream: str, token: str = "sntryu_demo") -> Starlette:
    client = httpx.AsyncClient(base_url=upstream, headers={"Authorization": f"Bearer {token}"})

    async def fetch(issue: str, params: dict[str, str]) -> object:
        response = await client.get(f"/api/0/issues/{issue}/events/", params=params)
        response.raise_for_status()
        return json.loads(response.content)

    async def graphql(request: Request) -> Response:
        await request.body()
        spec = request.query_params
        issues = spec.get("issues", "2")
        if "-" in issues:
            low, high = (int(x) for x in issues.split("-"))
            ids = [str(n) for n in range(low, high + 1)]
        else:
            ids = issues.split(",")
        params = {"per_page": spec.get("per_page", "100")}
        if spec.get("full") == "1":
            params = {"full": "true", **params}
        pages = await asyncio.gather(*(fetch(issue, params) for issue in ids))
        data = {f"i{issue}": page for issue, page in zip(ids, pages)}
        return Response(json.dumps({"data": data}), media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        await client.aclose()

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--upstream", default="http://127.0.0.1:9100")
    args = parser.parse_args()
    uvicorn.run(create_app(args.upstream), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
