"""Pinned GraphiQL assets: fetched from npm, checked, and found again at serve time.

The pins are exactly what Strawberry's own ``graphiql.html`` loads from
unpkg (same packages, same versions, same files), so the offline page runs
the very code the CDN page runs. Each tarball is fetched with ``npm pack``
(which checks it against the registry's ``dist.integrity``) and checked
again here against the sha512 pinned below; each extracted file is checked
against the sha384 Subresource Integrity hash Strawberry's page carries
for it. The folder gets a ``manifest.json`` (package versions, tarball
integrity, file sizes and sha256s); the gateway serves local assets only
while that manifest is complete and every file still matches it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Environment variable naming the assets folder (default: ``gateway/ide/static``).
ENV_VAR = "GATEWAY_IDE_ASSETS"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
DEFAULT_DIR = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class Asset:
    """One file a page loads: where it sits in the npm tarball, and its SRI hash."""

    path: str  # inside the tarball's ``package/`` folder
    sri: str  # sha384, as in Strawberry's page
    kind: str  # "script" or "style"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # the registry's dist.integrity (sha512) for this version
    assets: tuple[Asset, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


#: In the order the page loads them (scripts depend on the ones before).
PACKAGES: tuple[Package, ...] = (
    Package(
        "react",
        "18.2.0",
        "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==",
        (Asset("umd/react.production.min.js", "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8", "script"),),
    ),
    Package(
        "react-dom",
        "18.2.0",
        "sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==",
        (Asset("umd/react-dom.production.min.js", "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh", "script"),),
    ),
    Package(
        "js-cookie",
        "3.0.5",
        "sha512-cEiJEAEoIbWfCZYKWhVwFuvPX1gETRYPw6LlaTKoxD3s2AkXzkCjnp6h0V77ozyqj0jakteJ4YqDJT830+lVGw==",
        (Asset("dist/js.cookie.min.js", "sha384-/vxhYfM1LENRhdpZ8dwEsQn/X4VhpbEZSiU4m/FwR+PVpzar4fkEOw8FP9Y+OfQN", "script"),),
    ),
    Package(
        "graphiql",
        "3.8.3",
        "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
        (
            Asset("graphiql.min.css", "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM", "style"),
            Asset("graphiql.min.js", "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie", "script"),
        ),
    ),
    Package(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "sha512-9j+kg2UjtLZD5EBmGjeWHkoVVxtbShYg2DzbUVebibnZYZM/iMBEF4vaccXJIAm5KaomIPLx0aoNs4LbODyc3Q==",
        (
            Asset("dist/style.css", "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi", "style"),
            Asset("dist/index.umd.js", "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9", "script"),
        ),
    ),
)


class FetchError(RuntimeError):
    """The assets could not be fetched, or did not match their pins."""


def assets_dir() -> Path:
    """The assets folder: ``$GATEWAY_IDE_ASSETS`` if set, else ``gateway/ide/static``."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser().resolve() if value else DEFAULT_DIR


def local_path(package: Package, asset: Asset) -> str:
    """Where a file goes in the folder (and in the URL): ``name@version/path``."""
    return f"{package.spec}/{asset.path}"


def pinned_paths() -> frozenset[str]:
    """The only paths the gateway serves from the folder."""
    return frozenset(local_path(p, a) for p in PACKAGES for a in p.assets)


def sri(data: bytes, algorithm: str = "sha384") -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def _npm_pack(package: Package, workdir: Path, npm: str) -> Path:
    """``npm pack`` one pinned package (npm checks the registry's dist.integrity)."""
    try:
        proc = subprocess.run(
            [npm, "pack", "--json", "--silent", "--pack-destination", str(workdir), package.spec],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except FileNotFoundError as exc:
        raise FetchError(f"npm not found ({npm!r}); install Node.js/npm or pass --npm") from exc
    if proc.returncode != 0:
        raise FetchError(f"npm pack {package.spec} failed:\n{proc.stderr.strip() or proc.stdout.strip()}")
    try:
        info = json.loads(proc.stdout)[0]
    except (ValueError, IndexError, KeyError) as exc:
        raise FetchError(f"npm pack {package.spec}: unexpected output {proc.stdout[:200]!r}") from exc
    if (info.get("name"), info.get("version")) != (package.name, package.version):
        raise FetchError(f"npm pack {package.spec} returned {info.get('name')}@{info.get('version')}")
    if info.get("integrity") != package.integrity:
        raise FetchError(
            f"{package.spec}: registry integrity {info.get('integrity')} is not the pinned {package.integrity}"
        )
    tarball: Path = workdir / info["filename"]
    actual = sri(tarball.read_bytes(), "sha512")
    if actual != package.integrity:
        raise FetchError(f"{package.spec}: tarball is {actual}, pinned {package.integrity}")
    return tarball


def fetch(dest: Path | None = None, *, npm: str = "npm", log: Any = None) -> dict[str, Any]:
    """Fetch every pinned asset into `dest` and write its manifest; returns the manifest.

    The folder is filled in a temporary sibling and swapped in at the end, so
    a failed fetch never leaves a half-written folder behind.
    """
    dest = (dest or assets_dir()).resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    say = log or (lambda message: None)
    manifest: dict[str, Any] = {"format": MANIFEST_FORMAT, "source": "npm", "packages": []}
    with tempfile.TemporaryDirectory(prefix="gateway-ide-") as tmp:
        work = Path(tmp)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
        try:
            for package in PACKAGES:
                say(f"npm pack {package.spec}")
                tarball = _npm_pack(package, work, npm)
                files = []
                with tarfile.open(tarball, "r:gz") as tar:
                    for asset in package.assets:
                        member = tar.extractfile(f"package/{asset.path}")
                        if member is None:
                            raise FetchError(f"{package.spec}: {asset.path} is not a file")
                        data = member.read()
                        if sri(data) != asset.sri:
                            raise FetchError(f"{package.spec}/{asset.path}: {sri(data)}, pinned {asset.sri}")
                        target = staging / local_path(package, asset)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(data)
                        files.append(
                            {
                                "path": local_path(package, asset),
                                "size": len(data),
                                "sha256": hashlib.sha256(data).hexdigest(),
                                "integrity": asset.sri,
                            }
                        )
                manifest["packages"].append(
                    {"name": package.name, "version": package.version, "integrity": package.integrity, "files": files}
                )
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            if dest.exists():
                shutil.rmtree(dest)
            staging.rename(dest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return manifest


_cache: dict[Path, tuple[tuple[int, int], dict[str, Any] | None]] = {}


def load_manifest(folder: Path | None = None) -> dict[str, Any] | None:
    """The folder's manifest if it is complete and every file matches it, else None.

    Complete means: every pinned package at its pinned version, every pinned
    file present with the size and sha256 the manifest records. Checked once
    per manifest change (keyed on its mtime and size), not on every request.
    """
    folder = (folder or assets_dir()).resolve()
    path = folder / MANIFEST
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(folder)
    if cached is not None and cached[0] == key:
        return cached[1]
    manifest = _check(folder, path)
    _cache[folder] = (key, manifest)
    return manifest


def _check(folder: Path, path: Path) -> dict[str, Any] | None:
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
        if manifest.get("format") != MANIFEST_FORMAT:
            return None
        recorded = {(p["name"], p["version"]): p for p in manifest["packages"]}
        for package in PACKAGES:
            entry = recorded.get((package.name, package.version))
            if entry is None:
                return None
            files = {f["path"]: f for f in entry["files"]}
            for asset in package.assets:
                record = files.get(local_path(package, asset))
                if record is None or record.get("integrity") != asset.sri:
                    return None
                data = (folder / record["path"]).read_bytes()
                if len(data) != record["size"] or hashlib.sha256(data).hexdigest() != record["sha256"]:
                    return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return manifest

