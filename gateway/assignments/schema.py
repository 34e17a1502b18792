"""Root fields of the assignments domain (placeholder until the domain lands)."""

import strawberry


@strawberry.type
class Query:
    @strawberry.field(description="Placeholder; replaced by the assignments domain's root fields.")
    def placeholder_assignments(self) -> bool:
        return False
