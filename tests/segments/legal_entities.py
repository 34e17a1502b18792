"""A B2B customer with one segment per legal entity, for the legal-entity tests."""

from __future__ import annotations


async def b2b_customer(seed, *entities: str) -> None:
    """c1 belongs to `b2c` without a legal entity and to `seg-<le>` through each entity."""
    await seed.tenant_row()
    segments = ["b2c", *(f"seg-{le[:8]}" for le in entities)]
    await seed.add(
        *(seed.segment(s) for s in segments), *(seed.category(f"c-{s}") for s in segments)
    )
    await seed.add(*(seed.item(s, "CATEGORY", f"c-{s}") for s in segments))
    await seed.add(
        seed.customer("b2c", "c1"),
        *(seed.customer(f"seg-{le[:8]}", "c1", legal_entity=le) for le in entities),
    )
