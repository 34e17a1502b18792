"""Root fields of the segments domain (placeholder until the domain lands)."""

import strawberry


@strawberry.type
class Query:
    @strawberry.field(description="Placeholder; replaced by the segments domain's root fields.")
    def placeholder_segments(self) -> bool:
        return False
