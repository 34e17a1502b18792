"""The GraphiQL page and the pinned assets it loads, served by the gateway itself."""

from __future__ import annotations

import html
import logging
import secrets
from functools import cache
from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from gateway.web.assets import ASSETS, CDN, GRAPHIQL_CSS, Asset, find_cached

log = logging.getLogger("gateway.web.graphiql")

ASSET_PATH = "/_graphiql/assets"
IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def _template() -> str:
    return (resources.files("gateway.web") / "graphiql.html").read_text("utf-8")


class GraphiQL:
    """Serves the page; its assets come from the local cache, else from a public CDN."""

    def __init__(self, cache_dir: Path) -> None:
        self.cached = find_cached(cache_dir)
        if self.cached is None:
            log.warning(
                "GraphiQL assets are not cached in %s, so the GraphiQL page loads them from %s;"
                " `gateway serve` caches them when npm is installed",
                cache_dir,
                CDN,
            )

    def page(self, request: Request, tenant: str) -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        base = request.scope.get("root_path", "") + ASSET_PATH
        scripts = [a for a in ASSETS if a is not GRAPHIQL_CSS]
        body = (
            _template()
            .replace("{{tenant}}", html.escape(tenant))
            .replace("{{nonce}}", nonce)
            .replace("{{stylesheet}}", self._stylesheet(base))
            .replace("{{scripts}}", "\n    ".join(self._script(a, base, nonce) for a in scripts))
        )
        return HTMLResponse(body, headers=self._page_headers(nonce))

    async def asset(self, request: Request) -> Response:
        key = request.path_params["key"]
        path = self.cached.get(key) if self.cached else None
        if path is None:
            return PlainTextResponse("Not Found", status_code=404)
        asset = next(a for a in ASSETS if a.key == key)
        headers = {"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
        return FileResponse(path, media_type=asset.content_type, headers=headers)

    def _source(self, asset: Asset, base: str) -> str:
        if self.cached is not None:
            return f'src="{html.escape(f"{base}/{asset.key}")}"'
        return f'src="{asset.cdn_url}" integrity="{asset.integrity}" crossorigin="anonymous"'

    def _script(self, asset: Asset, base: str, nonce: str) -> str:
        return f'<script {self._source(asset, base)} nonce="{nonce}"></script>'

    def _stylesheet(self, base: str) -> str:
        source = self._source(GRAPHIQL_CSS, base).replace("src=", "href=", 1)
        return f'<link rel="stylesheet" {source}>'

    def _page_headers(self, nonce: str) -> dict[str, str]:
        origin = "'self'" if self.cached is not None else CDN
        policy = "; ".join(
            [
                "default-src 'none'",
                f"script-src 'nonce-{nonce}' {origin}",
                f"style-src {origin} 'unsafe-inline'",
                "img-src 'self' data:",
                "font-src 'self' data:",
                "connect-src 'self'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            ]
        )
        return {
            "Content-Security-Policy": policy,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }
