"""Caching the pinned GraphiQL packages with npm, checked against their pinned integrity."""

from __future__ import annotations

import io
import logging
import sys
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.web import assets
from gateway.web.assets import cached_path, fetch_assets, find_cached, integrity_of


def _content(asset: assets.Asset) -> bytes:
    return f"/* {asset.key} */".encode()


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> tuple[assets.Asset, ...]:
    """Small stand-ins for the pinned files, with integrity pinned to match them."""
    fakes = tuple(replace(a, integrity=integrity_of(_content(a))) for a in assets.ASSETS)
    monkeypatch.setattr(assets, "ASSETS", fakes)
    return fakes


def _registry(root: Path, files: dict[str, dict[str, bytes]]) -> Path:
    """npm package tarballs, as `npm pack` names them, holding the given files."""
    root.mkdir()
    for package, contents in files.items():
        name, version = package.rsplit("@", 1)
        with tarfile.open(root / f"{name}-{version}.tgz", "w:gz") as archive:
            for path, content in contents.items():
                info = tarfile.TarInfo(f"package/{path}")
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return root


def _fake_npm(tmp_path: Path, registry: Path, exit_code: int = 0) -> str:
    script = tmp_path / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import shutil, sys\n"
        "args = sys.argv[1:]\n"
        f"if {exit_code}:\n"
        "    sys.stderr.write('npm error 404 Not Found')\n"
        f"    sys.exit({exit_code})\n"
        "target = args[args.index('--pack-destination') + 1]\n"
        "for spec in [a for a in args if '@' in a]:\n"
        "    name, version = spec.rsplit('@', 1)\n"
        f"    shutil.copy(f'{registry}/{{name}}-{{version}}.tgz', target)\n"
    )
    script.chmod(0o755)
    return str(script)


def _packages(pinned: tuple[assets.Asset, ...], tamper: str | None = None) -> dict:
    files: dict[str, dict[str, bytes]] = {}
    for asset in pinned:
        content = b"evil()" if asset.key == tamper else _content(asset)
        files.setdefault(f"{asset.package}@{asset.version}", {})[asset.file] = content
    return files


def test_fetch_caches_every_pinned_file(tmp_path, pinned):
    # given
    npm = _fake_npm(tmp_path, _registry(tmp_path / "registry", _packages(pinned)))
    cache = tmp_path / "cache"
    # when
    fetched = fetch_assets(cache, npm)
    # then
    assert fetched
    assert find_cached(cache) is not None
    for asset in pinned:
        assert cached_path(cache, asset).read_bytes() == _content(asset)


def test_a_file_that_does_not_match_its_integrity_is_refused(tmp_path, pinned, caplog):
    # given
    tampered = pinned[2].key
    registry = _registry(tmp_path / "registry", _packages(pinned, tamper=tampered))
    cache = tmp_path / "cache"
    # when
    fetched = fetch_assets(cache, _fake_npm(tmp_path, registry))
    # then
    assert not fetched
    assert find_cached(cache) is None
    assert not cached_path(cache, pinned[2]).exists()
    assert f"{tampered} does not match its pinned integrity" in caplog.text


def test_without_npm_nothing_is_fetched_and_the_log_says_so(tmp_path, caplog):
    # given
    caplog.set_level(logging.WARNING, logger="gateway.web.assets")
    # when
    fetched = fetch_assets(tmp_path / "cache", None)
    # then
    assert not fetched
    assert "npm is not installed" in caplog.text


def test_a_failing_npm_is_reported(tmp_path, pinned, caplog):
    # given
    npm = _fake_npm(tmp_path, tmp_path, exit_code=1)
    # when
    fetched = fetch_assets(tmp_path / "cache", npm)
    # then
    assert not fetched
    assert "npm pack failed: npm error 404 Not Found" in caplog.text


def test_a_complete_cache_is_used_as_is(tmp_path, pinned):
    # given
    cache = tmp_path / "cache"
    for asset in pinned:
        cached_path(cache, asset).parent.mkdir(parents=True, exist_ok=True)
        cached_path(cache, asset).write_bytes(b"cached")
    # when: npm would fail if it were run
    fetched = fetch_assets(cache, _fake_npm(tmp_path, tmp_path, exit_code=1))
    # then
    assert fetched
