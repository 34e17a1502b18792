"""The GraphiQL page and the pinned assets it loads, served by the gateway itself."""

from __future__ import annotations

import html
import json
import logging
import secrets
from functools import cache
from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from gateway.auth.scopes import MANAGE, READ
from gateway.auth.tokens import mint_token
from gateway.settings import DEVELOPMENT_JWT_SECRET, Settings
from gateway.web.assets import ASSETS, CDN, GRAPHIQL_CSS, Asset, find_cached

log = logging.getLogger("gateway.web.graphiql")

ASSET_PATH = "/_graphiql/assets"
IMMUTABLE = "public, max-age=31536000, immutable"
# The tenant `gateway serve --demo` imports (gateway/demo/demo.json), and as long as its
# tokens from there last: a newcomer's page works for a working day.
DEMO_TENANT = "demo"
DEMO_TOKEN_TTL = 12 * 3600
PASTE_HINT = [
    "# Paste a token after Bearer in Headers below (serve --demo prints two),",
    "# then run: the tree and the segments that token may see.",
]
DEMO_HINT = [
    "# Headers below hold a development token of the demo manager",
    f"# ({READ} {MANAGE}): run this to see the demo data.",
]


def demo_token(settings: Settings, tenant: str) -> str | None:
    """A demo manager's token for the page, only where anyone could mint one anyway: the
    development profile, its published secret, the demo tenant. Never in production."""
    development_secret = (
        settings.jwt_secret == DEVELOPMENT_JWT_SECRET and "HS256" in settings.jwt_algorithms
    )
    if settings.is_production or not development_secret or tenant != DEMO_TENANT:
        return None
    return mint_token(
        settings,
        tenant=tenant,
        scopes=[READ, MANAGE],
        subject="demo-manager",
        ttl_seconds=DEMO_TOKEN_TTL,
    )


def _script_literal(value: object) -> str:
    # JSON is a JavaScript literal; "</" must not end the inline script early.
    return json.dumps(value).replace("</", "<\\/")


def _page_settings(token: str | None) -> dict[str, str]:
    # Without a token, "Bearer " alone: sent with GraphiQL's schema fetch it counts as no
    # token, which development answers, where a placeholder would be refused as invalid.
    headers = {"Authorization": f"Bearer {token or ''}"}
    return {
        "{{headers}}": _script_literal(json.dumps(headers, indent=2)),
        "{{hint}}": ", ".join(
            _script_literal(line) for line in (DEMO_HINT if token else PASTE_HINT)
        ),
    }


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

    def page(self, request: Request, tenant: str, settings: Settings) -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        base = request.scope.get("root_path", "") + ASSET_PATH
        scripts = [a for a in ASSETS if a is not GRAPHIQL_CSS]
        values = {
            **_page_settings(demo_token(settings, tenant)),
            "{{tenant}}": html.escape(tenant),
            "{{nonce}}": nonce,
            "{{stylesheet}}": self._stylesheet(base),
            "{{scripts}}": "\n    ".join(self._script(a, base, nonce) for a in scripts),
        }
        body = _template()
        for placeholder, value in values.items():
            body = body.replace(placeholder, value)
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
