"""``python -m gateway.ide fetch [--dest DIR]``: GraphiQL's pinned assets for offline use.

``fetch`` runs ``npm pack`` for each pinned package (npm checks the tarball
against the registry's ``dist.integrity``; it is checked again here against
the pinned sha512), extracts only the files the page loads (each checked
against its pinned sha384), and writes ``manifest.json`` with versions and
sha256s. The folder defaults to ``$GATEWAY_IDE_ASSETS``, else
``gateway/ide/static`` inside the package; start the gateway with the same
``GATEWAY_IDE_ASSETS`` and ``/graphql`` serves GraphiQL without any CDN.

``status`` says whether a folder holds a complete, verified set (exit 0) or
not (exit 1, the gateway then uses the CDN page).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.ide import assets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.ide", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="fetch the pinned GraphiQL assets from npm")
    fetch.add_argument("--dest", type=Path, help=f"folder to fill (default: ${assets.ENV_VAR} or {assets.DEFAULT_DIR})")
    fetch.add_argument("--npm", default="npm", help="the npm executable (default: npm)")
    status = sub.add_parser("status", help="check a folder's assets against the pins")
    status.add_argument("--dest", type=Path, help=f"folder to check (default: ${assets.ENV_VAR} or {assets.DEFAULT_DIR})")
    args = parser.parse_args(argv)

    dest = (args.dest or assets.assets_dir()).expanduser().resolve()
    if args.command == "fetch":
        try:
            manifest = assets.fetch(dest, npm=args.npm, log=lambda m: print(m, file=sys.stderr))
        except assets.FetchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        for package in manifest["packages"]:
            for f in package["files"]:
                print(f"{f['sha256']}  {f['path']}")
        print(f"GraphiQL assets in {dest}", file=sys.stderr)
        if args.dest is not None and dest != assets.assets_dir():
            print(f"serve them with: {assets.ENV_VAR}={dest}", file=sys.stderr)
        return 0
    if assets.load_manifest(dest) is None:
        print(f"{dest}: no complete GraphiQL asset set (the gateway uses the CDN page)", file=sys.stderr)
        return 1
    print(f"{dest}: complete; the gateway serves GraphiQL locally")
    return 0


if __name__ == "__main__":
    sys.exit(main())
