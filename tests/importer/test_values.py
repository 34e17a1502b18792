"""The import stores only what the API would: its id rules, storable text, finite numbers,
mixins at most 32 levels deep; every problem of a file is reported at once, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.importer.run import CatalogImportError, import_file
from gateway.settings import Limits
from tests.conftest import Database
from tests.importer.documents import document, run_import, snapshot
from tests.importer.test_validation import ID_RULE, _set

NUL = "\x00"


def nested(depth: int) -> Any:
    """An object nested `depth` levels deep: {"a": {"a": ... {}}}."""
    value: Any = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


async def refused(db: Database, doc: Any, **kw: Any) -> list[str]:
    """The problems the import reports for `doc`, after checking it wrote nothing."""
    before = await snapshot(db)
    with pytest.raises(CatalogImportError) as caught:
        await run_import(db, doc, **kw)
    assert await snapshot(db) == before
    return list(caught.value.problems)


UNKNOWN_PROS = (
    'customerAssignments[0] (segment "pros", customer "anna")',
    'itemAssignments[0] (segment "pros", CATEGORY "hammers")',
    'itemAssignments[1] (segment "pros", PRODUCT "claw")',
)
BROKEN: list[tuple[str, Any, str | list[str]]] = [
    (
        "id with a leading space",
        _set("segments.0.id", " pros"),
        [
            f'segments[0]: id {ID_RULE}, got " pros"',
            # and what names "pros": the file has no segment of that id
            *(
                f'{where}: segmentId "pros" is not a segment of this file or the tenant'
                for where in UNKNOWN_PROS
            ),
        ],
    ),
    (
        "customer id with a trailing space",
        _set("customerAssignments.0.customerId", "anna "),
        f'customerAssignments[0]: customerId {ID_RULE}, got "anna "',
    ),
    (
        "item id with a tab",
        _set("itemAssignments.0.itemId", "hammers\t"),
        f'itemAssignments[0]: itemId {ID_RULE}, got "hammers\\t"',
    ),
    (
        "category id in a product's list with a space",
        _set("products.0.categoryIds", ["tools", " hammers"]),
        f'products[0] (id "claw"): categoryIds[1] {ID_RULE}, got " hammers"',
    ),
    (
        "parent id with a no-break space",
        _set("categories.1.parentId", "tools\u00a0"),
        f'categories[1] (id "hammers"): parentId {ID_RULE}, got "tools\\u00a0"',
    ),
    (
        "id over 256 characters",
        _set("products.0.id", "p" * 257),
        [
            f'products[0]: id {ID_RULE}, got "{"p" * 39}... (257 characters)',
            'itemAssignments[1] (segment "pros", PRODUCT "claw"): itemId "claw" is not a product '
            "of this file or the tenant",
        ],
    ),
    (
        "NUL in a translation",
        _set("segments.0.name", {"en": f"Pr{NUL}os"}),
        "segments[0]: name.en contains the NUL character (U+0000)",
    ),
    (
        "NUL in a code",
        _set("products.0.code", f"CLAW{NUL}"),
        "products[0]: code contains the NUL character (U+0000)",
    ),
    (
        "NUL in an ecn",
        _set("categories.0.ecn", ["T-1", NUL]),
        "categories[0]: ecn[1] contains the NUL character (U+0000)",
    ),
    (
        "NUL in a mixins key",
        _set("segments.0.mixins", {"ok": {f"a{NUL}b": 1}}),
        'segments[0]: mixins.ok["a\\u0000b"] (a key) contains the NUL character (U+0000)',
    ),
    (
        "NUL in a field name",
        _set(f"customerAssignments.0.mixins{NUL}", {}),
        'customerAssignments[0]: ["mixins\\u0000"] (a key) contains the NUL character (U+0000)',
    ),
    (
        "lone surrogate in a mixins value",
        _set("itemAssignments.0.mixins", {"note": "\ud800"}),
        "itemAssignments[0]: mixins.note is not valid Unicode (it holds a lone surrogate)",
    ),
    (
        "NaN in mixins",
        _set("segments.0.mixins", {"score": [1, float("nan")]}),
        "segments[0]: mixins.score[1] is not a finite number",
    ),
    (
        "Infinity in mixins",
        _set("customerAssignments.0.mixins", {"inf": float("inf")}),
        "customerAssignments[0]: mixins.inf is not a finite number",
    ),
    (
        "Infinity as a position",
        _set("categories.0.position", float("-inf")),
        "categories[0]: position is not a finite number",
    ),
    (
        "mixins 33 levels deep",
        _set("segments.0.mixins", nested(33)),
        'segments[0] (id "pros"): mixins' + ".a" * 32 + " is nested deeper than 32 levels",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
async def test_a_value_the_api_would_refuse_is_refused_and_nothing_is_written(
    db: Database, change: Any, message: str | list[str]
) -> None:
    # when
    problems = await refused(db, change(document()))
    # then
    assert problems == ([message] if isinstance(message, str) else message)


async def test_the_longest_id_and_the_deepest_mixins_are_accepted(db: Database) -> None:
    # given
    doc = _set("segments.0.mixins", nested(32))(document())
    doc = _set("products.0.id", "p" * 256)(doc)
    doc = _set("itemAssignments.1.itemId", "p" * 256)(doc)
    # when
    report = await run_import(db, doc)
    # then
    assert report.counts["segments"].created == 1
    assert report.counts["products"].created == 1


async def test_the_mixins_depth_follows_the_configured_limit(db: Database) -> None:
    doc = _set("segments.0.mixins", nested(4))(document())
    problems = await refused(db, doc, limits=Limits(max_mixins_depth=3))
    assert problems == [
        'segments[0] (id "pros"): mixins.a.a.a is nested deeper than 3 levels',
    ]


async def test_every_broken_entry_is_reported_in_one_run(db: Database) -> None:
    # given: three entries of three kinds, each with its own problem
    doc = _set("segments.0.siteCode", " ")(document())
    doc = _set("products.0.code", NUL)(doc)
    doc = _set("itemAssignments.0.mixins", {"x": float("nan")})(doc)
    # when
    problems = await refused(db, doc)
    # then: in file order, and what names the refused entries is no problem of its own
    assert problems == [
        "products[0]: code contains the NUL character (U+0000)",
        'segments[0] (id "pros"): siteCode must be a non-blank string',
        "itemAssignments[0]: mixins.x is not a finite number",
    ]


async def test_a_run_reports_at_most_100_problems(db: Database) -> None:
    doc = document()
    doc["products"] = [{"id": f" p{n}", "code": "c"} for n in range(150)]
    problems = await refused(db, doc)
    assert len(problems) == 101
    assert problems[0] == f'products[0]: id {ID_RULE}, got " p0"'
    assert problems[-1] == "(stopped after 100 problems; there are more)"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(text, encoding="utf-8")
    return path


def _file_with_mixins(mixins_json: str) -> str:
    return (
        '{"tenant": "demo", "defaultLanguage": "en", "languages": ["en"], '
        '"segments": [{"id": "s1", "name": {"en": "S"}, "siteCode": "main", '
        f'"mixins": {mixins_json}}}]}}'
    )


@pytest.mark.parametrize(
    ("mixins", "message"),
    [
        ('{"x": NaN}', "segments[0]: mixins.x is not a finite number"),
        ('{"x": -Infinity}', "segments[0]: mixins.x is not a finite number"),
        ('{"x": 1e400}', "segments[0]: mixins.x is not a finite number"),
        ('{"x": "a\\u0000b"}', "segments[0]: mixins.x contains the NUL character (U+0000)"),
        ('{"x\\u0000": 1}', 'segments[0]: mixins["x\\u0000"] (a key) contains the NUL'),
        ('{"x": "\\udc00"}', "segments[0]: mixins.x is not valid Unicode"),
        ('{"a": ' + "[" * 100 + "]" * 100 + "}", 'segments[0] (id "s1"): mixins.a[0]'),
    ],
)
async def test_a_file_with_an_unstorable_value_names_its_entry(
    db: Database, tmp_path: Path, mixins: str, message: str
) -> None:
    path = _write(tmp_path, _file_with_mixins(mixins))
    with pytest.raises(CatalogImportError) as caught:
        await import_file(db.url, path)
    assert str(caught.value).startswith(message)
    assert (await snapshot(db))["segment"] == []


@pytest.mark.parametrize("where", ["mixins", "top level"])
async def test_a_file_nested_100000_levels_deep_is_refused_with_a_message(
    db: Database, tmp_path: Path, where: str
) -> None:
    # given
    deep = "[" * 100_000 + "]" * 100_000
    text = _file_with_mixins(f'{{"a": {deep}}}') if where == "mixins" else deep
    path = _write(tmp_path, text)
    # when
    with pytest.raises(CatalogImportError) as caught:
        await import_file(db.url, path)
    # then
    assert str(caught.value) == (
        f"{path}: arrays or objects are nested too deeply to read "
        "(mixins may be at most 32 levels deep by default)"
    )


async def test_an_integer_too_long_to_read_is_refused_with_a_message(
    db: Database, tmp_path: Path
) -> None:
    path = _write(tmp_path, _file_with_mixins('{"x": ' + "9" * 5000 + "}"))
    with pytest.raises(CatalogImportError, match="not valid JSON: Exceeds the limit"):
        await import_file(db.url, path)


async def test_every_broken_reference_is_reported_in_one_run(db: Database) -> None:
    # given: a cycle, an unknown category, an unknown segment and an unknown item
    doc = _set("categories.0.parentId", "sledges")(document())
    doc = _set("products.0.categoryIds", ["nowhere"])(doc)
    doc = _set("customerAssignments.0.segmentId", "nobody")(doc)
    doc = _set("itemAssignments.0.itemId", "nothing")(doc)
    # when
    problems = await refused(db, doc)
    # then
    assert [problem.split(": ")[0] for problem in problems] == [
        'categories[0] (id "tools")',
        'products[0] (id "claw")',
        'customerAssignments[0] (segment "nobody", customer "anna")',
        'itemAssignments[0] (segment "pros", CATEGORY "nothing")',
    ]
