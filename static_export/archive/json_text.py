"""JSON as the archive writes it, ``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)``,
byte for byte, in less time.

Python 3.11's C encoder cannot indent, so ``json.dumps`` with an indent runs its pure-Python
encoder, a generator yielding every bracket, key and separator apart. The export writes every page's
API document and every listing this way (over 20,000 files at 10,000 pages), so ``dumps`` here does
the same walk with fewer, larger strings: the members of a dict or list are joined in one go, keys
and text are quoted by the C function ``json.dumps`` uses, and numbers are written by the same
``repr``. Anything else (a date, a lazy translation) goes to ``default``, as ``json.dumps`` gives it
to its encoder class's ``default``. The tests compare both on the archive's documents and on
generated values.
"""

from json.encoder import encode_basestring

INDENT = "  "


def _float(value):
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


# JSON of a value of exactly these types (a subclass, such as bool of int, takes the longer way).
SCALARS = {
    str: encode_basestring,
    int: int.__repr__,
    float: _float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


class Encoded:
    """A value already written by ``dumps``, to place in larger documents without writing it again:
    written at any depth, its lines are only indented further."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def dumps(value, default):
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=default)``."""
    if isinstance(value, str):
        return encode_basestring(value)
    return _encode(value, "\n", default, set())


def _encode(value, newline, default, markers):
    """The JSON of ``value``, whose lines start with ``newline`` (a new line at its indentation)."""
    to_json = SCALARS.get(type(value))
    if to_json is not None:
        return to_json(value)
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, Encoded):
        return value.text.replace("\n", newline)  # Text has no new line of its own: JSON escapes it.
    if isinstance(value, (list, tuple)):
        return _encode_list(value, newline, default, markers) if value else "[]"
    if isinstance(value, dict):
        return _encode_dict(value, newline, default, markers) if value else "{}"
    _enter(value, markers)
    text = _encode(default(value), newline, default, markers)
    markers.discard(id(value))
    return text


def _encode_list(value, newline, default, markers):
    inner = newline + INDENT
    _enter(value, markers)
    get = SCALARS.get
    members = [
        to_json(item) if (to_json := get(type(item))) else _encode(item, inner, default, markers)
        for item in value
    ]
    markers.discard(id(value))
    return "[" + inner + ("," + inner).join(members) + newline + "]"


def _encode_dict(value, newline, default, markers):
    inner = newline + INDENT
    _enter(value, markers)
    get = SCALARS.get
    members = [
        (KEYS.get(key) or _key(key))
        + (to_json(item) if (to_json := get(type(item))) else _encode(item, inner, default, markers))
        for key, item in sorted(value.items())
    ]
    markers.discard(id(value))
    return "{" + inner + ("," + inner).join(members) + newline + "}"


# '"key": ' of the keys seen, up to a point: API documents use a few hundred keys again and again.
KEYS = {}
MAX_KEYS = 10_000


def _key(key):
    """A dict key as json.dumps writes it (str, float, bool, None or int), quoted, with ': '."""
    original = key
    if isinstance(key, str):
        pass
    elif isinstance(key, float):
        key = _float(key)
    elif key is True:
        key = "true"
    elif key is False:
        key = "false"
    elif key is None:
        key = "null"
    elif isinstance(key, int):
        key = int.__repr__(key)
    else:
        raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
    text = encode_basestring(key) + ": "
    if type(original) is str and len(KEYS) < MAX_KEYS:
        KEYS[original] = text
    return text


def _enter(value, markers):
    if id(value) in markers:
        raise ValueError("Circular reference detected")
    markers.add(id(value))
