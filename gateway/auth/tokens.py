"""Bearer token verification and minting with PyJWT."""

from __future__ import annotations

import binascii
import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.algorithms import get_default_algorithms
from jwt.utils import base64url_decode

from gateway.auth.keys import KeyFile, KeySet, is_public_key_algorithm, parse_jwks, parse_pem
from gateway.auth.principal import Principal
from gateway.settings import DEVELOPMENT_JWT_SECRET, Settings

MAX_LEEWAY_SECONDS = 30
# Far above any real token; keeps base64 and JSON work bounded for garbage input.
MAX_TOKEN_LENGTH = 8192
# Compact JWS, base64url without padding (RFC 7515 §2): one spelling per token, so an
# altered token can never decode to the same header, payload and signature.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# Headers by which a token names or carries its own key. Keys come only from the
# configuration, so a token pointing elsewhere is refused rather than quietly ignored.
_KEY_HEADERS = ("jku", "jwk", "x5u", "x5c")
# Verified tokens remembered per verifier (at most this many times MAX_TOKEN_LENGTH bytes):
# storefronts send the same token on every page view, and a signature check is most of Q0.
MAX_CACHED_TOKENS = 4096


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not signed by a trusted key."""


@dataclass(frozen=True, slots=True)
class _Verified:
    principal: Principal
    times: tuple[float | None, float | None, float | None]  # exp, nbf, iat
    # The key set that verified it (None for HS*): a reloaded key file verifies again.
    keys: KeySet | None


class TokenVerifier:
    """Checks bearer tokens against the configured algorithms, keys and claims."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._clock = clock
        self._algorithms = _checked_algorithms(settings)
        self._secret = _checked_secret(settings, self._algorithms)
        self._key_file = _key_file(settings, self._algorithms)
        self._leeway = max(0, min(settings.jwt_leeway_seconds, MAX_LEEWAY_SECONDS))
        # exp, nbf and iat are checked below against our own clock, with strict types.
        self._options: dict[str, Any] = {
            "require": ["exp"],
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
            "verify_aud": settings.jwt_audience is not None,
            "enforce_minimum_key_length": True,
        }
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    def verify(self, token: str) -> Principal:
        """The caller a token names; raises InvalidToken for anything not fully trusted."""
        found = self._verified.get(token)
        if found is not None and found.keys is self._current_keys(found.keys):
            # Checked again on every use: the cache never outlives exp nor precedes nbf.
            try:
                _check_times(*found.times, self._clock(), self._leeway)
            except InvalidToken:
                del self._verified[token]
                raise
            self._verified.move_to_end(token)
            return found.principal
        self._verified.pop(token, None)
        found = self._verify(token)
        self._remember(token, found)
        return found.principal

    def verify_until(self, token: str) -> tuple[Principal, float]:
        """verify(), and the moment (epoch seconds) from which the token is refused."""
        principal = self.verify(token)
        exp = self._verified[token].times[0]
        assert exp is not None  # exp is required
        return principal, exp + self._leeway

    def _current_keys(self, keys: KeySet | None) -> KeySet | None:
        # One stat of the key file: a rotated key set is another object.
        return None if keys is None or self._key_file is None else self._key_file.current()

    def _remember(self, token: str, verified: _Verified) -> None:
        self._verified[token] = verified
        if len(self._verified) > MAX_CACHED_TOKENS:
            self._verified.popitem(last=False)

    def _verify(self, token: str) -> _Verified:
        header = self._header(token)
        algorithm = header["alg"]
        keys = (
            self._key_file.current()
            if is_public_key_algorithm(algorithm) and self._key_file
            else None
        )
        try:
            claims = jwt.decode(
                token,
                key=self._key(algorithm, header.get("kid"), keys),
                algorithms=[algorithm],
                audience=self._settings.jwt_audience,
                issuer=self._settings.jwt_issuer,
                leeway=self._leeway,
                options=self._options,  # type: ignore[arg-type]
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        times = (_seconds(claims, "exp"), _seconds(claims, "nbf"), _seconds(claims, "iat"))
        _check_times(*times, self._clock(), self._leeway)
        return _Verified(principal_from_claims(claims), times, keys)

    def _header(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_LENGTH or not _COMPACT_JWS.fullmatch(token):
            raise InvalidToken("the token is not a compact JWS (three base64url parts)")
        # Only the header is read here; jwt.decode checks it again with everything else.
        try:
            header = json.loads(base64url_decode(token.partition(".")[0]))
        except (ValueError, binascii.Error):
            raise InvalidToken("the token's header is not base64url-encoded JSON") from None
        if not isinstance(header, dict):
            raise InvalidToken("the token's header is not a JSON object")
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self._algorithms:
            raise InvalidToken(f"the token's algorithm {algorithm!r} is not accepted")
        if any(name in header for name in _KEY_HEADERS):
            raise InvalidToken("the token names its own key (jku, jwk, x5u or x5c)")
        return header

    def _key(self, algorithm: str, kid: str | None, keys: KeySet | None) -> Any:
        # The shared secret only ever verifies HS*, a public key only ever RS*/PS*/ES*/EdDSA:
        # the algorithm picks the key source, so no key is read under two interpretations.
        if not is_public_key_algorithm(algorithm):
            return self._secret
        found = (keys or KeySet(())).select(kid, algorithm)
        if found is None:
            raise InvalidToken(f"no configured key fits kid {kid!r} and algorithm {algorithm}")
        return found.key


def _checked_algorithms(settings: Settings) -> frozenset[str]:
    known = set(get_default_algorithms()) - {"none"}
    algorithms = frozenset(settings.jwt_algorithms)
    unknown = sorted(a for a in algorithms if a not in known)
    if unknown or not algorithms:
        raise ValueError(
            f"GATEWAY_JWT_ALGORITHMS: {', '.join(unknown) or 'empty'} not allowed; "
            f"choose from {', '.join(sorted(known))}"
        )
    return algorithms


def _checked_secret(settings: Settings, algorithms: frozenset[str]) -> bytes:
    hmac = sorted(a for a in algorithms if not is_public_key_algorithm(a))
    secret = settings.jwt_secret.encode()
    for name in hmac:
        problem = get_default_algorithms()[name].check_key_length(secret)
        if problem:
            raise ValueError(f"GATEWAY_JWT_SECRET is too short for {name}: {problem}")
    if hmac and settings.is_production and settings.jwt_secret == DEVELOPMENT_JWT_SECRET:
        raise ValueError("GATEWAY_JWT_SECRET must be set in the production profile")
    return secret


def _key_file(settings: Settings, algorithms: frozenset[str]) -> KeyFile | None:
    pem, jwks = settings.jwt_public_key_file, settings.jwt_jwks_file
    wants_keys = any(is_public_key_algorithm(a) for a in algorithms)
    if pem and jwks:
        raise ValueError("set GATEWAY_JWT_PUBLIC_KEY_FILE or GATEWAY_JWT_JWKS_FILE, not both")
    if wants_keys and not (pem or jwks):
        raise ValueError(
            "GATEWAY_JWT_ALGORITHMS allows public-key algorithms: set "
            "GATEWAY_JWT_PUBLIC_KEY_FILE or GATEWAY_JWT_JWKS_FILE"
        )
    if (pem or jwks) and not wants_keys:
        raise ValueError(
            "a JWT key file is set but GATEWAY_JWT_ALGORITHMS allows no public-key "
            "algorithm (e.g. RS256 or ES256)"
        )
    if pem:
        return KeyFile(pem, parse_pem)
    return KeyFile(jwks, parse_jwks) if jwks else None


def scopes_of(scope: str) -> frozenset[str]:
    """The scopes of a `scope` claim: separated by U+0020 only (RFC 6749, section 3.3)."""
    # str.split() would also split on tabs and NO-BREAK SPACE, granting scopes the issuer
    # wrote as one unknown scope.
    return frozenset(part for part in scope.split(" ") if part)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The Principal a verified token's claims describe; InvalidToken when malformed."""
    tenant = _text(claims, "tenant")
    if tenant is None:
        raise InvalidToken("the token has no 'tenant' claim")
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise InvalidToken("the token's 'scope' claim must be a space-separated string")
    subject = _text(claims, "sub")
    customer = _text(claims, "customer_id")
    return Principal(
        tenant=tenant,
        scopes=scopes_of(scope),
        subject=subject,
        customer_id=customer if customer is not None else subject,
        legal_entity_id=_text(claims, "legal_entity_id"),
    )


def _text(claims: dict[str, Any], name: str) -> str | None:
    """An optional claim that, when present, is a non-empty string."""
    value = claims.get(name)
    if value is None:
        return None
    # NUL cannot reach PostgreSQL (it is refused in every string a request sends, too).
    if not isinstance(value, str) or not value or "\x00" in value:
        raise InvalidToken(f"the token's {name!r} claim must be a non-empty string without NUL")
    return value


def _check_times(
    exp: float | None, nbf: float | None, iat: float | None, now: float, leeway: float
) -> None:
    if exp is None or exp <= now - leeway:
        raise InvalidToken("the token has expired")
    if nbf is not None and nbf > now + leeway:
        raise InvalidToken("the token is not valid yet (nbf)")
    if iat is not None and iat > now + leeway:
        raise InvalidToken("the token claims to be issued in the future (iat)")


def _seconds(claims: dict[str, Any], name: str) -> float | None:
    # PyJWT would read "123" or true as a number; a NumericDate is a JSON number (RFC 7519).
    value = claims.get(name)
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(name)
        seconds = float(value)  # OverflowError for integers beyond any date
        if not math.isfinite(seconds):
            raise ValueError(name)
    except (TypeError, ValueError, OverflowError):
        raise InvalidToken(f"the token's {name!r} claim must be a number of seconds") from None
    return seconds


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
