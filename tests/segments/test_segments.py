"""The `segments(...)` root field: filters, q, sort and what each scope sees."""

from tests.conftest import MANAGE, READ, READ_OWN
from tests.factories import FUTURE, PAST, days

SEGMENTS = """
query($q: String, $site: String, $active: Boolean, $le: ID, $sort: String, $size: Int, $page: Int) {
  segments(q: $q, siteCode: $site, onlyActive: $active, legalEntityId: $le, sort: $sort,
           pageSize: $size, pageNumber: $page) {
    items { id } pageNumber pageSize hasNextPage
  }
}
"""


async def ids(gql, **kw):
    variables = {
        k: kw.pop(k) for k in ("q", "site", "active", "le", "sort", "size", "page") if k in kw
    }
    data = await gql.data(SEGMENTS, variables, **kw)
    return [item["id"] for item in data["segments"]["items"]]


async def test_segments_are_ordered_by_id_by_default(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("b"), seed.segment("a"), seed.segment("C"), seed.segment("a2"))
    # when / then: code point order, upper case first
    assert await ids(gql) == ["C", "a", "a2", "b"]


async def test_empty_tenant_gives_an_empty_page(gql):
    # when
    data = await gql.data(SEGMENTS, tenant="nobody")
    # then
    assert data["segments"] == {"items": [], "pageNumber": 1, "pageSize": 60, "hasNextPage": False}


async def test_site_code_filters(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1", site="main"), seed.segment("s2", site="outlet"))
    # when / then
    assert await ids(gql, site="outlet") == ["s2"]
    assert await ids(gql, site="none") == []


async def test_only_active_keeps_active_segments_for_readers(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment("active", valid_from=PAST, valid_to=FUTURE),
        seed.segment("inactive", status="INACTIVE"),
        seed.segment("expired", valid_to=PAST),
        seed.segment("future", valid_from=FUTURE),
    )
    # when / then
    assert await ids(gql, active=True) == ["active"]
    assert await ids(gql, active=False) == ["active", "expired", "future", "inactive"]


async def test_q_filters_by_fields_of_a_segment(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment("s1", name={"en": "Golden", "de": "Gold"}, mixins={"tier": 3}),
        seed.segment(
            "s2", status="INACTIVE", site="outlet", name={"en": "Silver"}, mixins={"tier": 1}
        ),
        seed.segment("s3", name={"en": "Bronze"}, description={"en": "cheap"}, valid_to=PAST),
    )
    # when / then
    assert await ids(gql, q="id:s2") == ["s2"]
    assert await ids(gql, q="name.de:Gold") == ["s1"]
    assert await ids(gql, q="status:INACTIVE") == ["s2"]
    assert await ids(gql, q="siteCode:main") == ["s1", "s3"]
    assert await ids(gql, q="description.en:exists") == ["s3"]
    assert await ids(gql, q="validity.to:null") == ["s1", "s2"]
    assert await ids(gql, q="mixins.tier:>=2") == ["s1"]
    assert await ids(gql, q="name.en:~(ol|il)") == ["s1", "s2"]
    assert await ids(gql, q="id:(s1,s3) siteCode:main") == ["s1", "s3"]
    assert await ids(gql, q="metadata.version:1") == ["s1", "s2", "s3"]


async def test_enum_values_in_q_are_case_sensitive(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1", status="INACTIVE"))
    # when
    error = await gql.error(SEGMENTS, {"q": "status:inactive"})
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "inactive" in error["message"]


async def test_q_on_dates(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment("old", valid_from=PAST), seed.segment("new", valid_from=PAST + days(10))
    )
    # when
    found = await ids(gql, q='validity.from:>"2020-01-05T00:00:00.000Z"')
    # then
    assert found == ["new"]


async def test_malformed_q_is_bad_user_input(gql, seed):
    # given
    await seed.tenant_row()
    # when
    unknown = await gql.error(SEGMENTS, {"q": "colour:red"})
    broken = await gql.error(SEGMENTS, {"q": "id:(a,b"})
    # then
    assert unknown["extensions"]["code"] == "BAD_USER_INPUT"
    assert "colour" in unknown["message"]
    assert broken["extensions"]["code"] == "BAD_USER_INPUT"


async def test_sort_by_fields_and_directions(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment("s1", name={"en": "b", "de": "z"}, site="y"),
        seed.segment("s2", name={"en": "a", "de": "y"}, site="y"),
        seed.segment("s3", name={"en": "c", "de": "x"}, site="x"),
    )
    # when / then
    assert await ids(gql, sort="name.en:ASC") == ["s2", "s1", "s3"]
    assert await ids(gql, sort="name.de") == ["s3", "s2", "s1"]
    assert await ids(gql, sort="id:DESC") == ["s3", "s2", "s1"]
    assert await ids(gql, sort="siteCode:ASC,id:DESC") == ["s3", "s2", "s1"]
    assert await ids(gql, sort="siteCode:DESC") == ["s1", "s2", "s3"]  # ties broken by id


async def test_sort_by_name_uses_the_resolved_locale(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment("s1", name={"en": "b", "de": "z"}),
        seed.segment("s2", name={"en": "a", "de": "y"}),
    )
    # when
    english = await ids(gql, sort="name")
    german = await ids(gql, sort="name:DESC", accept_language="de")
    # then
    assert english == ["s2", "s1"]
    assert german == ["s1", "s2"]


async def test_unknown_sort_field_or_direction_is_bad_user_input(gql, seed):
    # given
    await seed.tenant_row()
    # when
    field = await gql.error(SEGMENTS, {"sort": "colour:ASC"})
    direction = await gql.error(SEGMENTS, {"sort": "id:UP"})
    # then
    assert field["extensions"]["code"] == "BAD_USER_INPUT"
    assert direction["extensions"]["code"] == "BAD_USER_INPUT"


async def test_readers_see_every_segment_and_ignore_legal_entity(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2", status="INACTIVE"))
    # when / then
    assert await ids(gql, le="le1", scopes=READ) == ["s1", "s2"]


async def test_read_scope_wins_over_read_own(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"))
    await seed.add(seed.customer("s1", "cust1"))
    # when / then
    assert await ids(gql, scopes=READ + READ_OWN, customer="cust1") == ["s1", "s2"]


async def test_b2c_customer_sees_only_own_active_segments(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.segment("mine"),
        seed.segment("theirs"),
        seed.segment("mine-inactive", status="INACTIVE"),
        seed.segment("mine-expired", valid_to=PAST),
        seed.segment("mine-future", valid_from=FUTURE),
    )
    await seed.add(
        *(
            seed.customer(s, "cust1")
            for s in ("mine", "mine-inactive", "mine-expired", "mine-future")
        ),
        seed.customer("theirs", "cust2"),
    )
    # when / then: onlyActive is forced for customers
    assert await ids(gql, scopes=READ_OWN, customer="cust1") == ["mine"]
    assert await ids(gql, active=False, scopes=READ_OWN, customer="cust1") == ["mine"]


async def test_b2b_customer_sees_segments_of_the_legal_entity_in_use(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("b2c"), seed.segment("le1"), seed.segment("le2"))
    await seed.add(
        seed.customer("b2c", "cust1"),
        seed.customer("le1", "cust1", "LE1"),
        seed.customer("le2", "cust1", "LE2"),
    )
    own = {"scopes": READ_OWN, "customer": "cust1"}
    # when / then: the argument, when one of theirs, wins over the token
    assert await ids(gql, le="LE1", legal_entity="LE2", **own) == ["b2c", "le1"]
    # an argument that is not one of theirs matches no B2B assignment
    assert await ids(gql, le="LE9", legal_entity="LE2", **own) == ["b2c"]
    # no argument: the token's legal entity
    assert await ids(gql, legal_entity="LE2", **own) == ["b2c", "le2"]
    # neither: all of them
    assert await ids(gql, **own) == ["b2c", "le1", "le2"]


async def test_customer_without_assignments_sees_nothing(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when / then
    assert await ids(gql, scopes=READ_OWN, customer="nobody") == []


async def test_manage_scope_alone_is_forbidden(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when
    body = await gql(SEGMENTS, scopes=MANAGE)
    # then
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
