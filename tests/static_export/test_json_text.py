"""Property: the export's JSON writer gives json.dumps's bytes (indent 2, sorted keys, UTF-8 text) for
any value the API can give, and a value written once reads the same placed at any depth."""

import datetime
import decimal
import json
import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework.utils.encoders import JSONEncoder as APIJSONEncoder

from static_export.archive.json_text import Encoded, dumps
from tests.hypothesis_profiles import examples

DEFAULT = APIJSONEncoder().default


def reference(value):
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, cls=APIJSONEncoder)


# Text with what JSON must escape: quotes, backslashes, control characters, new lines, and beyond ASCII.
ODD_TEXT = ['"', "\\", "\n", "\u2028", "</script>", "café", "Ευεξία", "\x00", "\x1f", ""]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
TEXT = TEXT | st.sampled_from(ODD_TEXT)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
    | st.dates()
    | st.datetimes(timezones=st.just(datetime.UTC))
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
)
KEYS = TEXT | st.integers(-1000, 1000) | st.floats(allow_nan=False) | st.booleans() | st.none()
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(TEXT, children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=examples(ci=40))
@given(value=VALUES)
@example(value={"meta": {"total_count": 0, "page": 1, "pages": 1}, "items": []})
@example(value={"a": [], "b": {}, "c": [[]], "d": [{}], "e": "", "f": 0.1, "g": 10**20, "h": -0.0})
@example(value=[math.nan, math.inf, -math.inf])
def test_the_json_is_json_dumps_byte_for_byte(value):
    assert dumps(value, DEFAULT) == reference(value)


@settings(max_examples=examples(ci=20))
@given(value=st.dictionaries(KEYS, SCALARS, max_size=5))
def test_keys_of_any_kind_json_allows_are_written_as_json_dumps_writes_them(value):
    try:
        expected = reference(value)
    except TypeError:  # Keys json.dumps cannot sort (mixed kinds) fail the same way here.
        with pytest.raises(TypeError):
            dumps(value, DEFAULT)
        return
    assert dumps(value, DEFAULT) == expected


@settings(max_examples=examples(ci=20))
@given(inner=VALUES, depth=st.integers(min_value=0, max_value=4))
def test_a_value_written_once_reads_the_same_at_any_depth(inner, depth):
    document, placed = inner, Encoded(dumps(inner, DEFAULT))
    for level in range(depth):
        document, placed = {"level": level, "value": document}, {"level": level, "value": placed}
    assert dumps(placed, DEFAULT) == reference(document)


def test_what_json_dumps_refuses_is_refused():
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(loop, DEFAULT)
    with pytest.raises(TypeError):
        dumps({"x": object()}, DEFAULT)
    with pytest.raises(TypeError):
        dumps({(1, 2): "a tuple key"}, DEFAULT)
    assert dumps(decimal.Decimal("1.50"), DEFAULT) == reference(decimal.Decimal("1.50"))
