"""``python -m gateway.demo --host 127.0.0.1 --port 9000``: serve the demo upstream.

Point a client (or the gateway's ``SENTRY_BASE_URL``) at it and authenticate with
``Authorization: Bearer sntryu_demo``. Link headers use ``--url-prefix``, which
defaults to the address served, as a self-hosted Sentry's ``system.url-prefix`` would.
``--faults`` enables fault injection (``gateway.demo.faults``): ``POST``/``GET``/``DELETE
/_demo/faults`` from a loopback address arm, list and clear faults.
"""

from __future__ import annotations

import argparse

import uvicorn

from .app import create_demo_app
from .store import DEMO_TOKEN


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--url-prefix", default=None, help="host part of Link URLs (default: http://HOST:PORT)")
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--faults", action="store_true", help="enable fault injection (control: /_demo/faults, loopback only)"
    )
    parser.add_argument("--fault-seed", type=int, default=0, help="seed of the faults' probability draws")
    args = parser.parse_args(argv)
    url_prefix = args.url_prefix or f"http://{args.host}:{args.port}"
    app = create_demo_app(url_prefix=url_prefix, faults=args.faults, fault_seed=args.fault_seed)
    print(f"demo Sentry upstream on http://{args.host}:{args.port} (token: {DEMO_TOKEN})", flush=True)
    if args.faults:
        print(f"fault injection on: http://{args.host}:{args.port}/_demo/faults (loopback callers only)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
