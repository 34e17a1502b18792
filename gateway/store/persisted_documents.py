"""The persisted_document table: documents registered through automatic persisted queries."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from gateway.store.columns import CodePointString, UtcDateTime


class PersistedDocument(SQLModel, table=True):
    """A document a client registered under its sha256, shared by every gateway process.

    A row never changes: a hash names one document text forever, which is what lets each
    process keep its own cache of them (gateway/web/persisted/)."""

    __tablename__ = "persisted_document"

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    sha256: str = Field(primary_key=True, sa_type=sa.String(64))
    document: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UtcDateTime)
