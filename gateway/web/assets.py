"""The pinned GraphiQL browser assets: which files, where they are cached, how npm fetches them."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("gateway.web.assets")

GRAPHIQL_VERSION = "4.1.2"
REACT_VERSION = "18.3.1"
JAVASCRIPT = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
CDN = "https://unpkg.com"


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    file: str  # the path inside the npm package
    content_type: str
    # Subresource integrity of the pinned file: checked on every npm fetch, sent to the CDN.
    integrity: str

    @property
    def key(self) -> str:
        return f"{self.package}@{self.version}/{self.file}"

    @property
    def cdn_url(self) -> str:
        return f"{CDN}/{self.key}"


REACT = Asset(
    "react", REACT_VERSION, "umd/react.production.min.js", JAVASCRIPT,
    "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
)  # fmt: skip
REACT_DOM = Asset(
    "react-dom", REACT_VERSION, "umd/react-dom.production.min.js", JAVASCRIPT,
    "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
)  # fmt: skip
GRAPHIQL_JS = Asset(
    "graphiql", GRAPHIQL_VERSION, "graphiql.min.js", JAVASCRIPT,
    "sha384-9XdHu7ajgGJziD4J1zNBKQ842Q/+zZfDv+ib1eMhZWBH6hPAs806x+Jbcf0yNO6B",
)  # fmt: skip
GRAPHIQL_CSS = Asset(
    "graphiql", GRAPHIQL_VERSION, "graphiql.min.css", CSS,
    "sha384-1el1QShFBnnXTx9x/Cprg82hZWKt0ry29OAYIXt05swbi0KcZDFoj0CWguMpopJr",
)  # fmt: skip
ASSETS = (REACT, REACT_DOM, GRAPHIQL_JS, GRAPHIQL_CSS)
PACKAGES = tuple(dict.fromkeys(f"{a.package}@{a.version}" for a in ASSETS))


def cached_path(cache_dir: Path, asset: Asset) -> Path:
    return cache_dir / "graphiql" / asset.key


def find_cached(cache_dir: Path) -> dict[str, Path] | None:
    """Every pinned asset's cached file by key, or None unless all of them are there."""
    found = {asset.key: cached_path(cache_dir, asset) for asset in ASSETS}
    return found if all(path.is_file() for path in found.values()) else None


def integrity_of(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def fetch_assets(cache_dir: Path, npm: str | None, *, timeout: float = 180) -> bool:
    """Caches the pinned packages' files with `npm pack`; True when all are cached."""
    if find_cached(cache_dir) is not None:
        return True
    if npm is None:
        log.warning("npm is not installed, so the GraphiQL assets cannot be cached")
        return False
    log.info("fetching %s with npm into %s", ", ".join(PACKAGES), cache_dir)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            _npm_pack(npm, Path(scratch), timeout)
            for asset in ASSETS:
                _store(cache_dir, asset, _extract(Path(scratch), asset))
        except (OSError, subprocess.SubprocessError, tarfile.TarError, ValueError) as error:
            log.warning("could not cache the GraphiQL assets: %s", error)
            return False
    return True


def _npm_pack(npm: str, scratch: Path, timeout: float) -> None:
    command = [npm, "pack", "--silent", "--fetch-retries=1", "--pack-destination", str(scratch)]
    done = subprocess.run(
        [*command, *PACKAGES], cwd=scratch, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise ValueError(f"npm pack failed: {done.stderr.strip()[-500:]}")


def _extract(scratch: Path, asset: Asset) -> bytes:
    with tarfile.open(scratch / f"{asset.package}-{asset.version}.tgz") as archive:
        member = archive.extractfile(f"package/{asset.file}")
        if member is None:
            raise ValueError(f"{asset.key} is not a file in the npm package")
        content = member.read()
    if integrity_of(content) != asset.integrity:
        raise ValueError(f"{asset.key} does not match its pinned integrity {asset.integrity}")
    return content


def _store(cache_dir: Path, asset: Asset, content: bytes) -> None:
    target = cached_path(cache_dir, asset)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed, so a crash never leaves half a file that looks cached.
    partial = target.with_name(target.name + f".{os.getpid()}.partial")
    partial.write_bytes(content)
    partial.replace(target)
