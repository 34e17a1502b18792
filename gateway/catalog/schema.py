"""Root fields of the catalog domain (placeholder until the domain lands)."""

import strawberry


@strawberry.type
class Query:
    @strawberry.field(description="Placeholder; replaced by the catalog domain's root fields.")
    def placeholder_catalog(self) -> bool:
        return False
