"""Characters that no HTML page or XML feed may hold, whatever an editor pasted or an import saved.

Control characters (a vertical tab from a word processor, an escape byte from a broken import) and
Unicode noncharacters are forbidden in HTML (the Nu Html Checker reports each as an error) and in
XML 1.0 (Django's feed refuses to write them, and the feed answered 500). Nobody can see them, so
pages and feeds leave them out; tabs, newlines and every printable character stay as typed.
"""

import re

NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
FORBIDDEN_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{NONCHARACTERS}]")


def without_forbidden_characters(text):
    """``text`` without the characters HTML and XML forbid (see above); None and "" as they are."""
    return FORBIDDEN_RE.sub("", text) if text else text


class ForbiddenCharactersMiddleware:
    """Leaves those characters out of every HTML page the site serves, wherever in the page the
    content put them (titles, attributes, rich text, blocks, snippets)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        text = response.content.decode(response.charset)
        if FORBIDDEN_RE.search(text):
            response.content = without_forbidden_characters(text).encode(response.charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
