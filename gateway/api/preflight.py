"""Before any resolver runs: every argument checked against the limits, and the static cost.

A document whose arguments break a limit anywhere runs nothing, so a mutation document never
half-applies because a later field was over a limit. The cost is the number of objects the
operation can return at most (api/cost.py adds it up).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
)
from graphql.execution.values import get_variable_values

from gateway.api.cost import CostWalk
from gateway.context import Context
from gateway.errors import ErrorCode, GatewayError


def cost_exceeded(cost: int, limit: int) -> GatewayError:
    return GatewayError(
        ErrorCode.MAX_COST_EXCEEDED,
        f"The operation could return up to {cost} objects; at most {limit} are allowed. "
        "Ask for smaller pages or fewer nested lists.",
        cost=cost,
        limit=limit,
    )


class VariableErrors(Exception):
    """The variables do not coerce: a request error, as graphql-core would report it."""

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


async def check_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    raw_variables: dict[str, Any] | None,
    context: Context,
    *,
    hide_suggestions: bool = False,
) -> int:
    """The operation's cost after checking every argument; GatewayError for a bad one."""
    variables = get_variable_values(
        schema,
        operation.variable_definitions or (),
        raw_variables or {},
        max_errors=10,
        hide_suggestions=hide_suggestions,
    )
    if isinstance(variables, list):
        raise VariableErrors(variables)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    cost = await CostWalk(schema, fragments, variables, context).cost(operation)
    limit = context.settings.limits.max_cost
    if cost > limit:
        raise cost_exceeded(cost, limit)
    return cost
