"""JSON-LD: content cannot end the data block and become markup."""

import json
import re

import pytest

from tests.factories import StandardPageFactory

HOSTILE = "Hostile </script><script>window.ran = true</script> <!-- & more"


@pytest.mark.django_db
def test_json_ld_escapes_what_would_close_its_script_element(home_page, client):
    page = StandardPageFactory(parent=home_page, title=HOSTILE, slug="hostile", search_description=HOSTILE)

    html = client.get(page.url).content.decode()

    assert "<script>window.ran" not in html  # Escaped wherever the title and description show.

    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert not re.search("[<>&]", block)  # So no "</script" or "<!--" inside it.
    data = json.loads(block)
    assert data["name"] == HOSTILE
    assert data["description"] == HOSTILE
