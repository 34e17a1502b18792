"""Error codes and the exception that carries one to the client."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLError


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INTERNAL = "INTERNAL"
    MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_REQUIRED = "PERSISTED_QUERY_REQUIRED"
    UNAVAILABLE = "UNAVAILABLE"


class GatewayError(GraphQLError):
    """A top-level GraphQL error whose `extensions.code` is one of ErrorCode."""

    def __init__(self, code: ErrorCode, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code.value, **extensions})
        self.code = code


def bad_input(message: str, **extensions: Any) -> GatewayError:
    return GatewayError(ErrorCode.BAD_USER_INPUT, message, **extensions)


def forbidden(message: str = "Your token does not allow this field.") -> GatewayError:
    return GatewayError(ErrorCode.FORBIDDEN, message)
