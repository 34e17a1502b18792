"""Bearer token verification and minting with PyJWT."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import jwt

from gateway.auth.principal import Principal
from gateway.settings import Settings


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not signed by a trusted key."""


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def verify(self, token: str) -> Principal:
        settings = self._settings
        options: dict[str, Any] = {
            "require": ["exp"],
            "verify_aud": settings.jwt_audience is not None,
        }
        try:
            claims = jwt.decode(
                token,
                key=settings.jwt_secret,
                algorithms=list(settings.jwt_algorithms),
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                leeway=settings.jwt_leeway_seconds,
                options=options,
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    tenant = claims.get("tenant")
    scope = claims.get("scope", "")
    if not isinstance(tenant, str) or not isinstance(scope, str):
        raise InvalidToken("the token needs string claims 'tenant' and 'scope'")
    subject = claims.get("sub")
    customer = claims.get("customer_id", subject)
    legal_entity = claims.get("legal_entity_id")
    return Principal(
        tenant=tenant,
        scopes=frozenset(scope.split()),
        subject=subject if isinstance(subject, str) else None,
        customer_id=customer if isinstance(customer, str) else None,
        legal_entity_id=legal_entity if isinstance(legal_entity, str) else None,
    )


def mint_token(
    settings: Settings,
    *,
    tenant: str,
    scopes: Iterable[str],
    customer: str | None = None,
    legal_entity: str | None = None,
    ttl_seconds: int = 3600,
    subject: str | None = None,
) -> str:
    """A signed HS256 token for development, tests and shared-secret deployments."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "tenant": tenant,
        "scope": " ".join(scopes),
        "sub": subject or customer or "gateway-cli",
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
    }
    if customer:
        claims["customer_id"] = customer
    if legal_entity:
        claims["legal_entity_id"] = legal_entity
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
