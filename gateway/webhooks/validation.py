"""What a webhook subscription may be: its event types and its bounds."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.errors import ErrorCode
from gateway.outcomes import Failure

# The contract's change events (API.md "Change events"), named as the REST API's webhooks.
EVENT_TYPES = tuple(
    f"customer-segment.{record}-{change}"
    for record in ("segment", "item-assignment", "customer-assignment")
    for change in ("created", "updated", "deleted")
)
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 1000
MAX_EVENT_TYPES = len(EVENT_TYPES)
# Per tenant; every event is sent to each of its subscriptions, so this bounds the fan-out.
MAX_SUBSCRIPTIONS = 25


def _bad(message: str, *field: str | int) -> Failure:
    return Failure(ErrorCode.BAD_USER_INPUT, message, ("input", *map(str, field)))


def subscription_problems(
    url: str, event_types: Sequence[str], description: str | None
) -> list[Failure]:
    """Every bound or event-type rule the input breaks, each naming its field."""
    problems = []
    if len(url) > MAX_URL_LENGTH:
        problems.append(_bad(f"url is {len(url)} characters; at most {MAX_URL_LENGTH}.", "url"))
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        message = f"description is {len(description)} characters; at most {MAX_DESCRIPTION_LENGTH}."
        problems.append(_bad(message, "description"))
    return problems + event_type_problems(event_types)


def event_type_problems(event_types: Sequence[str]) -> list[Failure]:
    """An empty list subscribes to nothing, so it is refused: all nine are spelled out."""
    if not event_types:
        return [
            _bad(f"eventTypes must name at least one of: {', '.join(EVENT_TYPES)}.", "eventTypes")
        ]
    if len(event_types) > MAX_EVENT_TYPES:
        message = f"eventTypes has {len(event_types)} entries; at most {MAX_EVENT_TYPES}."
        return [_bad(message, "eventTypes")]
    problems = []
    for index, name in enumerate(event_types):
        if name not in EVENT_TYPES:
            message = f"eventTypes[{index}] {name!r} is not an event type; use one of: "
            problems.append(_bad(message + ", ".join(EVENT_TYPES) + ".", "eventTypes", index))
        elif name in event_types[:index]:
            message = f"eventTypes[{index}] {name!r} is listed twice."
            problems.append(_bad(message, "eventTypes", index))
    return problems
