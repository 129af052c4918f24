"""The GraphiQL page and its offline assets, without a browser or the network.

`fetch` runs against a fake ``npm`` that hands out tarballs built here, so
every check (pinned sha512 of the tarball, sha384 of each file, manifest)
runs for real; the page and the asset routes run in a small Starlette app
built from ``ide_routes()`` and ``render_ide``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import stat
import sys
import tarfile
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from gateway.ide import EXAMPLE_QUERY, EXAMPLE_VARIABLES, graphiql_html
from gateway.ide import CONTENT_SECURITY_POLICY, ide_routes, render_ide
from gateway.ide import __main__ as cli
from gateway.ide import assets

pytestmark = pytest.mark.anyio


def test_pins_are_exactly_what_strawberrys_page_loads() -> None:
    page = get_graphql_ide_html("graphiql")
    loaded = set(re.findall(r'(?:src|href)="https://unpkg\.com/([^"]+)"\s+integrity="([^"]+)"', page))
    pinned = {(assets.local_path(p, a), a.sri) for p in assets.PACKAGES for a in p.assets}
    assert loaded == pinned
    assert {p.name for p in assets.PACKAGES} >= {"react", "react-dom", "graphiql", "@graphiql/plugin-explorer"}


# --- fetch, against a fake npm ------------------------------------------------


def _sri(data: bytes, algorithm: str) -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def fake_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Two tiny pinned packages, a tarball store, and an ``npm`` that packs from it."""
    store = tmp_path / "registry"
    store.mkdir()
    contents = {
        "lib-a": {"dist/a.js": b"window.A = 1;\n", "README.md": b"not extracted"},
        "lib-b": {"b.css": b"body { color: red }\n", "b.js": b"window.B = 2;\n"},
    }
    packages = []
    for name, files in contents.items():
        data = _tarball(files)
        (store / f"{name}-1.0.0.tgz").write_bytes(data)
        wanted = [p for p in files if p != "README.md"]
        packages.append(
            assets.Package(
                name,
                "1.0.0",
                _sri(data, "sha512"),
                tuple(
                    assets.Asset(p, _sri(files[p], "sha384"), "style" if p.endswith(".css") else "script")
                    for p in wanted
                ),
            )
        )
    npm = tmp_path / "npm"
    npm.write_text(
        f"""#!{sys.executable}
import json, shutil, sys, base64, hashlib
from pathlib import Path
args = sys.argv[1:]
spec = args[-1]
dest = Path(args[args.index("--pack-destination") + 1])
name, version = spec.rsplit("@", 1)
src = Path({str(store)!r}) / f"{{name}}-{{version}}.tgz"
if not src.exists():
    print(f"npm error 404 {{spec}}", file=sys.stderr); sys.exit(1)
shutil.copy(src, dest / src.name)
data = src.read_bytes()
integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
print(json.dumps([{{"name": name, "version": version, "filename": src.name, "integrity": integrity}}]))
"""
    )
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(assets, "PACKAGES", tuple(packages))
    return {"npm": str(npm), "store": store, "packages": packages, "contents": contents}


def test_fetch_extracts_only_the_pinned_files_and_writes_a_manifest(tmp_path: Path, fake_registry: dict) -> None:
    dest = tmp_path / "ide"
    manifest = assets.fetch(dest, npm=fake_registry["npm"])
    files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert files == ["lib-a@1.0.0/dist/a.js", "lib-b@1.0.0/b.css", "lib-b@1.0.0/b.js", "manifest.json"]
    assert json.loads((dest / "manifest.json").read_text()) == manifest
    entry = manifest["packages"][1]
    assert (entry["name"], entry["version"]) == ("lib-b", "1.0.0")
    record = entry["files"][0]
    assert record["sha256"] == hashlib.sha256(b"body { color: red }\n").hexdigest()
    assert assets.load_manifest(dest) == manifest


def test_fetch_refuses_a_tarball_that_is_not_the_pinned_one(tmp_path: Path, fake_registry: dict) -> None:
    dest = tmp_path / "ide"
    assets.fetch(dest, npm=fake_registry["npm"])
    before = (dest / "manifest.json").read_bytes()
    # The registry now serves other bytes under the same version.
    (fake_registry["store"] / "lib-b-1.0.0.tgz").write_bytes(_tarball({"b.css": b"evil", "b.js": b"evil"}))
    with pytest.raises(assets.FetchError, match="integrity"):
        assets.fetch(dest, npm=fake_registry["npm"])
    assert (dest / "manifest.json").read_bytes() == before, "a failed fetch must leave the folder alone"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ide-")], "no staging folder left behind"


def test_fetch_refuses_a_file_that_does_not_match_its_sri(tmp_path: Path, fake_registry: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = fake_registry["packages"]
    wrong = assets.Asset("dist/a.js", _sri(b"something else", "sha384"), "script")
    monkeypatch.setattr(assets, "PACKAGES", (assets.Package(a.name, a.version, a.integrity, (wrong,)), b))
    with pytest.raises(assets.FetchError, match="dist/a.js"):
        assets.fetch(tmp_path / "ide", npm=fake_registry["npm"])
    assert not (tmp_path / "ide").exists()


def test_the_command_line(tmp_path: Path, fake_registry: dict, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "ide"
    assert cli.main(["status", "--dest", str(dest)]) == 1
    assert cli.main(["fetch", "--dest", str(dest), "--npm", fake_registry["npm"]]) == 0
    out = capsys.readouterr().out
    digest = hashlib.sha256(fake_registry["contents"]["lib-a"]["dist/a.js"]).hexdigest()
    assert f"{digest}  lib-a@1.0.0/dist/a.js" in out
    assert cli.main(["status", "--dest", str(dest)]) == 0
    assert cli.main(["fetch", "--dest", str(dest), "--npm", str(tmp_path / "no-such-npm")]) == 1
    assert "npm not found" in capsys.readouterr().err


def test_an_incomplete_or_altered_folder_is_not_used(tmp_path: Path, fake_registry: dict) -> None:
    for case in ("file changed", "file missing", "package missing", "bad json"):
        dest = tmp_path / case.replace(" ", "-")
        assets.fetch(dest, npm=fake_registry["npm"])
        if case == "file changed":
            (dest / "lib-a@1.0.0/dist/a.js").write_bytes(b"window.A = 666;\n")
        elif case == "file missing":
            (dest / "lib-b@1.0.0/b.js").unlink()
        elif case == "package missing":
            manifest = json.loads((dest / "manifest.json").read_text())
            manifest["packages"].pop()
            (dest / "manifest.json").write_text(json.dumps(manifest))
        else:
            (dest / "manifest.json").write_text("{")
        assert assets.load_manifest(dest) is None, case


# --- the page and the routes ---------------------------------------------------


def _client() -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/graphql", render_ide), *ide_routes()])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost")


async def test_without_local_assets_the_cdn_page_is_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(assets.ENV_VAR, str(tmp_path / "empty"))
    async with _client() as http:
        page = await http.get("/graphql")
        assert page.text == graphiql_html()
        assert "https://unpkg.com/graphiql@" in page.text
        assert "content-security-policy" not in page.headers
        assert json.dumps(EXAMPLE_QUERY) in page.text
        assert (await http.get("/graphql/ide/vendor/react@18.2.0/umd/react.production.min.js")).status_code == 404


async def test_with_local_assets_the_page_loads_nothing_from_elsewhere(
    tmp_path: Path, fake_registry: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "ide"
    assets.fetch(dest, npm=fake_registry["npm"])
    monkeypatch.setenv(assets.ENV_VAR, str(dest))
    async with _client() as http:
        page = await http.get("/graphql")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
        html = page.text
        assert "unpkg.com" not in html and "https://" not in html
        # No inline code: every script has a src, except the inert JSON block.
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert 'src="/graphql/ide/' in attrs or 'type="application/json"' in attrs, attrs
            assert "src=" not in attrs or body == ""
        assert "<style" not in html and "style=" not in html
        config = json.loads(re.search(r'<script id="graphiql-config" type="application/json">(.*?)</script>', html, re.S)[1])
        assert config["EXAMPLE_QUERY"] == EXAMPLE_QUERY
        assert json.loads(config["EXAMPLE_VARIABLES"]) == EXAMPLE_VARIABLES
        assert json.dumps(EXAMPLE_QUERY) in html  # what tests/test_http.py looks for
        # Every file the page names is served, and matches its integrity attribute.
        refs = re.findall(r'(?:src|href)="(/graphql/ide/[^"]+)" integrity="([^"]+)"', html)
        assert len(refs) == 3 + 2  # three pinned files, our css and init script
        for url, integrity in refs:
            response = await http.get(url)
            assert response.status_code == 200, url
            assert response.headers["x-content-type-options"] == "nosniff"
            algorithm = integrity.split("-", 1)[0]
            assert _sri(response.content, algorithm) == integrity, url
        vendor = await http.get("/graphql/ide/vendor/lib-a@1.0.0/dist/a.js")
        assert "immutable" in vendor.headers["cache-control"]
        assert "javascript" in vendor.headers["content-type"]
        init = await http.get("/graphql/ide/app/graphiql-init.js")
        assert "GraphiQLPluginExplorer.explorerPlugin()" in init.text


async def test_only_pinned_files_are_served(tmp_path: Path, fake_registry: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "ide"
    assets.fetch(dest, npm=fake_registry["npm"])
    (dest / "secret.txt").write_text("no")
    monkeypatch.setenv(assets.ENV_VAR, str(dest))
    async with _client() as http:
        for path in (
            "/graphql/ide/vendor/manifest.json",
            "/graphql/ide/vendor/secret.txt",
            "/graphql/ide/vendor/lib-a@1.0.0/../secret.txt",
            "/graphql/ide/vendor/lib-a@1.0.0/%2e%2e/%2e%2e/secret.txt",
            "/graphql/ide/app/../page.py",
            "/graphql/ide/app/page.py",
            "/graphql/ide/other/lib-a@1.0.0/dist/a.js",
        ):
            response = await http.get(path)
            # 404, or a redirect from Starlette for a path httpx normalised away from /ide/.
            assert response.status_code in (404, 307), path
            assert "secret" not in response.text and "import" not in response.text
        assert (await http.get("/graphql/ide/vendor/lib-a@1.0.0/dist/a.js")).status_code == 200
