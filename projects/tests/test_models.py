import json

import pytest

from projects.models import OrjsonJSONField


@pytest.mark.parametrize(
    "text",
    [
        '{"b": [1, 2.5, -0.0, 1e-07, null, true], "a": {"é": "\\u00e9\\ud83d\\ude00"}}',
        '{"a": 1, "b": 2, "a": 3}',
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775809",
        '[1180591620717411303424, {"n": -1180591620717411303424}]',
        "0.1000000000000000055511151231257827",
        "1e400",
        "NaN",
        "[Infinity, -Infinity]",
        '"\\ud800"',
    ],
)
def test_orjson_json_field_reads_what_json_loads_reads(text):
    value = OrjsonJSONField().from_db_value(text, None, None)

    assert repr(value) == repr(json.loads(text))


def test_orjson_json_field_keeps_text_that_is_not_json():
    assert OrjsonJSONField().from_db_value("plain text", None, None) == "plain text"
