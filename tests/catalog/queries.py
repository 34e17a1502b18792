"""The operations the catalog tests send, and helpers to read their answers."""

from __future__ import annotations

from typing import Any

NODE = """
fragment Node on CategoryTreeNode {
  id parentId code name nameAllLocales { locale value } description slug ecn
  validity { from to } position published isSegmentAssigned depth
}
"""

TREES = (
    """
query($site: String, $le: ID, $segments: [ID!]) {
  categoryTrees(siteCode: $site, legalEntityId: $le, segmentIds: $segments) {
    ...Node subcategories { ...Node subcategories { ...Node subcategories { id } } }
  }
}
"""
    + NODE
)

NODES = """
query($site: String, $le: ID, $segments: [ID!]) {
  categoryTreeNodes(siteCode: $site, legalEntityId: $le, segmentIds: $segments) {
    id parentId depth isSegmentAssigned subcategories { id }
  }
}
"""

MATCH = """
query($site: String!, $segments: [ID!]!, $items: [ID!]!) {
  matchItems(siteCode: $site, segmentIds: $segments, itemIds: $items)
}
"""


def variables(site: str | None, le: str | None, segments: list[str] | None) -> dict[str, Any]:
    return {"site": site, "le": le, "segments": segments}


async def tree_nodes(
    gql: Any,
    *,
    site: str | None = None,
    le: str | None = None,
    segments: list[str] | None = None,
    **kw: Any,
) -> list[dict[str, Any]]:
    """The flat categoryTreeNodes answer."""
    data = await gql.data(NODES, variables(site, le, segments), **kw)
    return data["categoryTreeNodes"]  # type: ignore[no-any-return]


async def node_ids(gql: Any, **kw: Any) -> list[str]:
    """Ids of categoryTreeNodes, in pre-order."""
    return [node["id"] for node in await tree_nodes(gql, **kw)]


async def matched(
    gql: Any, segments: list[str], items: list[str], site: str = "main", **kw: Any
) -> list[str]:
    data = await gql.data(MATCH, {"site": site, "segments": segments, "items": items}, **kw)
    return data["matchItems"]  # type: ignore[no-any-return]
