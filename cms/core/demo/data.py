"""The demo content's data files (``cms/core/demo/data/*.json``) and the references between them.

A string ``"$kind:key"`` in the data names another object the data defines: ``$page:<slug>``,
``$person:<name>``, ``$organisation:<name>``, ``$image:<key>`` or ``$document:<key>``. In a model's own
field it stands for the object; inside a StreamField, and as a rich text link's ``id="$page:<slug>"``, it
stands for the object's id, which is how Wagtail stores them.
"""

import json
import re
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "data"  # Not Django fixtures: loaddata must not find them.
KINDS = ("page", "person", "organisation", "image", "document")
REFERENCE = re.compile(r"\$({}):(.+)".format("|".join(KINDS)))
LINK = re.compile(r'id="\$(page|document):([^"]+)"')


@cache
def read(name):
    """One data file, parsed. Callers must not change what it returns: it is shared."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


class NotLoadedYet(LookupError):
    """The data points at a page that comes later in the file."""


class Registry:
    """What this run has loaded so far, by the keys the data uses for it."""

    def __init__(self):
        self.objects = {kind: {} for kind in KINDS}

    def add(self, kind, key, obj):
        self.objects[kind][key] = obj
        return obj

    def get(self, kind, key):
        try:
            return self.objects[kind][key]
        except KeyError:
            if kind == "page":
                raise NotLoadedYet(f"${kind}:{key}: no page with this slug is loaded (yet)") from None
            raise LookupError(f"The demo data points at ${kind}:{key}, which it does not define.") from None

    def resolve(self, value):
        """A field's value: a reference becomes its object; rich text links get their object's id."""
        if isinstance(value, str):
            if match := REFERENCE.fullmatch(value):
                return self.get(*match.groups())
            return LINK.sub(lambda link: f'id="{self.get(*link.groups()).pk}"', value)
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def resolve_ids(self, value):
        """A StreamField's stored JSON: every reference becomes its object's id."""
        if isinstance(value, dict):
            return {key: self.resolve_ids(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve_ids(item) for item in value]
        resolved = self.resolve(value)
        return resolved.pk if hasattr(resolved, "pk") else resolved
