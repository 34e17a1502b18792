"""Localized item names on item assignments: locale argument, Accept-Language, fallbacks."""

from __future__ import annotations

import pytest

from tests.assignments.helpers import store

QUERY = """query($locale: String) { itemAssignments {
  items { item { name(locale: $locale) nameAllLocales { locale value } } } } }"""


@pytest.fixture
async def named(seed):
    await seed.tenant_row(default="en", languages=("en", "de", "fr"))
    await store(
        seed,
        seed.segment("s1"),
        seed.product("p1", name={"en": "Hammer", "de": "Hammer DE", "fr": "Marteau"}),
        seed.item("s1", "PRODUCT", "p1"),
    )


async def name(gql, locale=None, accept_language=None):
    data = await gql.data(QUERY, {"locale": locale}, accept_language=accept_language)
    return data["itemAssignments"]["items"][0]["item"]["name"]


@pytest.mark.parametrize(
    ("locale", "accept_language", "expected"),
    [
        (None, None, "Hammer"),  # the tenant's default language
        (None, "fr", "Marteau"),
        (None, "it, de;q=0.9, fr;q=0.8", "Hammer DE"),  # first language with a translation
        (None, "de-CH", "Hammer DE"),  # region falls back to its base language
        (None, "fr;q=0, *", "Hammer"),  # q=0 excludes; * prefers the tenant default
        ("fr", "de", "Marteau"),  # the argument beats the header
        ("de-AT", None, "Hammer DE"),
        ("it", "fr", "Marteau"),  # an argument without translation falls back to the header
    ],
)
async def test_item_name_resolves_in_the_contracts_order(
    gql, named, locale, accept_language, expected
):
    # when / then
    assert await name(gql, locale, accept_language) == expected


async def test_all_locales_lists_every_translation_by_locale(gql, named):
    # when
    data = await gql.data(QUERY)
    # then
    assert data["itemAssignments"]["items"][0]["item"]["nameAllLocales"] == [
        {"locale": "de", "value": "Hammer DE"},
        {"locale": "en", "value": "Hammer"},
        {"locale": "fr", "value": "Marteau"},
    ]
