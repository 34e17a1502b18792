"""The `segment(id, legalEntityId)` root field and the fields of a Segment."""

import re

from tests.conftest import MANAGE, READ, READ_OWN
from tests.factories import FUTURE, PAST

FIELDS = """
  id status active siteCode validity { from to }
  name nameAllLocales { locale value } description descriptionAllLocales { locale value }
  mixins metadata { createdAt modifiedAt version mixins }
"""
SEGMENT = f"query($id: ID!, $le: ID) {{ segment(id: $id, legalEntityId: $le) {{ {FIELDS} }} }}"
NAME = """
query($id: ID!, $loc: String) { segment(id: $id) { name(locale: $loc) description(locale: $loc) } }
"""


async def test_segment_returns_every_field(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment(
            "s1",
            name={"en": "Golden", "de": "Gold"},
            description={"en": "Best"},
            valid_from=PAST,
            valid_to=FUTURE,
            mixins={"tier": {"level": 3}},
            metadata_mixins={"tier": "https://example.com/tier.json"},
            version=4,
        )
    )
    # when
    data = await gql.data(SEGMENT, {"id": "s1"})
    # then
    segment = data["segment"]
    assert segment["id"] == "s1"
    assert segment["status"] == "ACTIVE"
    assert segment["active"] is True
    assert segment["siteCode"] == "main"
    assert segment["validity"] == {
        "from": "2020-01-01T00:00:00.000Z",
        "to": "2100-01-01T00:00:00.000Z",
    }
    assert segment["name"] == "Golden"
    assert segment["nameAllLocales"] == [
        {"locale": "de", "value": "Gold"},
        {"locale": "en", "value": "Golden"},
    ]
    assert segment["description"] == "Best"
    assert segment["descriptionAllLocales"] == [{"locale": "en", "value": "Best"}]
    assert segment["mixins"] == {"tier": {"level": 3}}
    assert segment["metadata"]["version"] == 4
    assert segment["metadata"]["mixins"] == {"tier": "https://example.com/tier.json"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", segment["metadata"]["createdAt"])
    assert segment["metadata"]["modifiedAt"] == segment["metadata"]["createdAt"]


async def test_segment_without_optional_data_has_nulls_and_empty_lists(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1", status="INACTIVE", name={"en": "Plain"}))
    # when
    segment = (await gql.data(SEGMENT, {"id": "s1"}))["segment"]
    # then
    assert segment["status"] == "INACTIVE"
    assert segment["active"] is False
    assert segment["validity"] is None
    assert segment["description"] is None
    assert segment["descriptionAllLocales"] == []
    assert segment["mixins"] is None
    assert segment["metadata"]["version"] == 1
    assert segment["metadata"]["mixins"] is None


async def test_active_is_false_outside_validity(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment("expired", valid_to=PAST),
        seed.segment("future", valid_from=FUTURE),
        seed.segment("open"),
    )
    query = """{
      a: segment(id: "expired") { active }
      b: segment(id: "future") { active }
      c: segment(id: "open") { active }
    }"""
    # when
    data = await gql.data(query)
    # then
    assert data == {"a": {"active": False}, "b": {"active": False}, "c": {"active": True}}


async def test_unknown_segment_is_null(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when
    data = await gql.data(SEGMENT, {"id": "nope"})
    # then
    assert data == {"segment": None}


async def test_segment_of_another_tenant_is_null(gql, seed):
    # given
    await seed.add(seed.segment("s1"))
    # when
    data = await gql.data(SEGMENT, {"id": "s1"}, tenant="other")
    # then
    assert data == {"segment": None}


async def test_localized_name_follows_locale_argument_then_accept_language(gql, seed):
    # given
    await seed.tenant_row(default="en", languages=("en", "de", "fr"))
    await seed.add(
        seed.segment("s1", name={"en": "Golden", "de": "Gold"}, description={"fr": "Or"})
    )
    # when
    by_argument = await gql.data(NAME, {"id": "s1", "loc": "de-CH"})
    by_header = await gql.data(NAME, {"id": "s1"}, accept_language="de;q=0.9, fr;q=0.1")
    by_default = await gql.data(NAME, {"id": "s1"})
    # then
    assert by_argument["segment"] == {"name": "Gold", "description": "Or"}
    assert by_header["segment"] == {"name": "Gold", "description": "Or"}
    assert by_default["segment"] == {"name": "Golden", "description": "Or"}


async def test_customer_sees_own_active_segment(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(seed.customer("s1", "cust1"))
    # when
    data = await gql.data(SEGMENT, {"id": "s1"}, scopes=READ_OWN, customer="cust1")
    # then
    assert data["segment"]["id"] == "s1"


async def test_customer_does_not_see_segments_of_others_or_inactive_ones(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment("other"),
        seed.segment("inactive", status="INACTIVE"),
        seed.segment("expired", valid_to=PAST),
    )
    await seed.add(
        seed.customer("other", "cust2"),
        seed.customer("inactive", "cust1"),
        seed.customer("expired", "cust1"),
    )
    query = """{
      a: segment(id: "other") { id }
      b: segment(id: "inactive") { id }
      c: segment(id: "expired") { id }
    }"""
    # when
    data = await gql.data(query, scopes=READ_OWN, customer="cust1")
    # then
    assert data == {"a": None, "b": None, "c": None}


async def test_legal_entity_argument_selects_b2b_membership(gql, seed):
    # given: two legal entities (with only one, it counts whatever is asked)
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"))
    await seed.add(seed.customer("s1", "cust1", "le1"), seed.customer("s2", "cust1", "le3"))
    # when
    mine = await gql.data(SEGMENT, {"id": "s1", "le": "le1"}, scopes=READ_OWN, customer="cust1")
    other = await gql.data(SEGMENT, {"id": "s1", "le": "le2"}, scopes=READ_OWN, customer="cust1")
    # then
    assert mine["segment"]["id"] == "s1"
    assert other["segment"] is None


async def test_legal_entity_argument_is_ignored_for_readers(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when
    data = await gql.data(SEGMENT, {"id": "s1", "le": "le9"}, scopes=READ)
    # then
    assert data["segment"]["id"] == "s1"


async def test_manage_scope_alone_cannot_read_a_segment(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when
    error = await gql.error(SEGMENT, {"id": "s1"}, scopes=MANAGE)
    # then
    assert error["extensions"]["code"] == "FORBIDDEN"
