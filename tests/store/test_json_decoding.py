"""Stored JSON is read back exactly, however it is decoded."""

from __future__ import annotations

import pytest

from gateway.store.json_values import decode_json


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [true, null, "x"]}',
        '{"big": 123456789012345678901234567890}',
        '{"max": 18446744073709551615, "min": -9223372036854775808}',
        '{"digits in text": "12345678901234567890123"}',
        '{"float": 1.5e300, "unicode": "Grüße \\u00e9"}',
    ],
)
def test_decoding_equals_the_standard_library(text):
    import json

    decoded = decode_json(text)
    assert decoded == json.loads(text)
    assert type(decoded.get("big", 0)) is int
