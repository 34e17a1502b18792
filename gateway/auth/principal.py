"""Who is calling: tenant, scopes and, for customer tokens, the customer."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.auth import scopes


@dataclass(frozen=True)
class Principal:
    tenant: str
    scopes: frozenset[str]
    subject: str | None = None
    customer_id: str | None = None
    legal_entity_id: str | None = None

    @property
    def can_read_all(self) -> bool:
        return scopes.READ in self.scopes

    @property
    def can_read_own(self) -> bool:
        return scopes.READ_OWN in self.scopes and self.customer_id is not None

    @property
    def can_read(self) -> bool:
        return self.can_read_all or self.can_read_own

    @property
    def can_manage(self) -> bool:
        return scopes.MANAGE in self.scopes
