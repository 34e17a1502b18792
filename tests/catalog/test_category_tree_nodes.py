"""`categoryTreeNodes` (the flat pre-order list) and localized fields of tree nodes."""

from tests.catalog.queries import tree_nodes
from tests.conftest import READ

LOCALIZED = """
query($loc: String) {
  categoryTreeNodes {
    id name(locale: $loc) description(locale: $loc) slug(locale: $loc)
    nameAllLocales { locale value } descriptionAllLocales { locale value }
    slugAllLocales { locale value }
  }
}
"""


async def assigned_to_segment(seed, *categories: str) -> None:
    await seed.add(seed.segment("s1"))
    await seed.add(*(seed.item("s1", "CATEGORY", c) for c in categories))


async def test_nodes_come_in_pre_order_with_depth_and_no_subcategories(gql, seed):
    # given: a > (b > (d, e), c), x > y; a and y assigned
    await seed.tenant_row()
    await seed.add(
        seed.category("a", position=0),
        seed.category("b", "a", position=0),
        seed.category("c", "a", position=1),
        seed.category("d", "b", position=0),
        seed.category("e", "b", position=1),
        seed.category("x", position=1),
        seed.category("y", "x"),
    )
    await assigned_to_segment(seed, "a", "y")
    # when
    nodes = await tree_nodes(gql, scopes=READ)
    # then
    assert [(n["id"], n["parentId"], n["depth"], n["isSegmentAssigned"]) for n in nodes] == [
        ("a", None, 0, True),
        ("b", "a", 1, True),
        ("d", "b", 2, True),
        ("e", "b", 2, True),
        ("c", "a", 1, True),
        ("x", None, 0, False),
        ("y", "x", 1, True),
    ]
    assert all(n["subcategories"] == [] for n in nodes)


async def test_a_deep_chain_comes_back_whole(gql, seed):
    # given: a chain far deeper than a query could nest
    await seed.tenant_row()
    chain = [seed.category("n0")] + [seed.category(f"n{i}", f"n{i - 1}") for i in range(1, 1500)]
    await seed.add(*chain)
    await assigned_to_segment(seed, "n1499")
    # when
    nodes = await tree_nodes(gql, scopes=READ)
    # then
    assert [n["depth"] for n in nodes] == list(range(1500))
    assert nodes[-1]["isSegmentAssigned"] is True and nodes[-2]["isSegmentAssigned"] is False


async def test_a_category_whose_parent_is_missing_is_a_root(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.category("orphan", "gone"))
    await assigned_to_segment(seed, "orphan")
    # when
    nodes = await tree_nodes(gql, scopes=READ)
    # then
    assert [(n["id"], n["depth"]) for n in nodes] == [("orphan", 0)]


async def localized_category(seed, default: str = "en", languages=("en", "de", "fr")) -> None:
    await seed.tenant_row(default=default, languages=languages)
    await seed.add(
        seed.category(
            "c",
            name={"en": "Tools", "de": "Werkzeuge", "fr": "Outils"},
            description={"en": "All tools", "de": "Alle Werkzeuge"},
            slug={"de": "werkzeuge", "en": "tools"},
        )
    )
    await assigned_to_segment(seed, "c")


async def localized(gql, locale=None, **kw):
    data = await gql.data(LOCALIZED, {"loc": locale}, scopes=READ, **kw)
    return data["categoryTreeNodes"][0]


async def test_locale_argument_picks_the_translation(gql, seed):
    # given
    await localized_category(seed)
    # when
    node = await localized(gql, "de", accept_language="fr")
    # then
    assert (node["name"], node["description"], node["slug"]) == (
        "Werkzeuge",
        "Alle Werkzeuge",
        "werkzeuge",
    )


async def test_locale_argument_with_a_region_falls_back_to_the_base_language(gql, seed):
    # given
    await localized_category(seed)
    # when / then
    assert (await localized(gql, "de-CH"))["name"] == "Werkzeuge"


async def test_accept_language_is_followed_by_q_weight(gql, seed):
    # given
    await localized_category(seed)
    # when
    node = await localized(gql, accept_language="en;q=0.2, fr;q=0.9, de;q=0.5")
    # then: fr first; the description has no fr, so the next weight (de) answers
    assert node["name"] == "Outils"
    assert node["description"] == "Alle Werkzeuge"


async def test_accept_language_with_a_region_falls_back_to_the_base_language(gql, seed):
    # given
    await localized_category(seed)
    # when / then
    assert (await localized(gql, accept_language="de-CH"))["name"] == "Werkzeuge"


async def test_accept_language_q_zero_excludes_a_language(gql, seed):
    # given
    await localized_category(seed, default="de")
    # when / then: fr is excluded, so the tenant default answers
    assert (await localized(gql, accept_language="fr;q=0"))["name"] == "Werkzeuge"


async def test_tenant_default_applies_without_preferences(gql, seed):
    # given
    await localized_category(seed, default="de")
    # when / then
    assert (await localized(gql))["name"] == "Werkzeuge"


async def test_first_translation_in_the_tenants_language_order_is_the_last_resort(gql, seed):
    # given: no translation in the default; fr comes before de in the tenant's languages
    await seed.tenant_row(default="en", languages=("en", "fr", "de"))
    await seed.add(seed.category("c", name={"de": "Werkzeuge", "fr": "Outils"}))
    await assigned_to_segment(seed, "c")
    # when / then
    assert (await localized(gql, "it"))["name"] == "Outils"


async def test_all_locales_lists_every_translation_ordered_by_locale(gql, seed):
    # given
    await localized_category(seed)
    # when
    node = await localized(gql)
    # then
    assert node["nameAllLocales"] == [
        {"locale": "de", "value": "Werkzeuge"},
        {"locale": "en", "value": "Tools"},
        {"locale": "fr", "value": "Outils"},
    ]
    assert [t["locale"] for t in node["descriptionAllLocales"]] == ["de", "en"]
    assert node["slugAllLocales"] == [
        {"locale": "de", "value": "werkzeuge"},
        {"locale": "en", "value": "tools"},
    ]


async def test_missing_translations_are_null_and_empty(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.category("c", name={"en": "Tools"}))
    await assigned_to_segment(seed, "c")
    # when
    node = await localized(gql)
    # then
    assert node["description"] is None and node["slug"] is None
    assert node["descriptionAllLocales"] == [] and node["slugAllLocales"] == []
