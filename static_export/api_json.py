"""The export's API JSON: written into the build with its URLs pointing into the archive.

``APIJSONWriter`` is the part of ``ArchiveBuild`` (exporter.py) that rewrites and writes the frozen
API's documents and listings; it resolves URLs as the build's pages do (``resolve``, ``rewriter``).
"""

import re
from functools import cached_property

from rest_framework.utils.encoders import JSONEncoder as APIJSONEncoder

from .archive import json_text
from .archive.errors import ExportError

API_JSON_DEFAULT = APIJSONEncoder().default  # The API's JSON of dates, decimals and lazy text.
URL_STARTS = ("/", "http")  # API text that may be a URL to rewrite.


class APIJSONWriter:
    """Writing API JSON into the build (a mixin of ArchiveBuild, whose state it uses)."""

    def write_json(self, archive_path, data):
        self.recording(archive_path)
        self.current_json = archive_path
        try:
            data = self.rewrite_json(data)
        finally:
            self.current_refs = self.current_json = None
        # json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, cls=APIJSONEncoder), quicker.
        text = json_text.dumps(data, default=API_JSON_DEFAULT)
        self.write_text(archive_path, text + "\n")

    def share_json(self, archive_path, documents):
        """Rewrite and write as JSON only once what ``documents`` (dicts: a page's API document and
        its listing items) hold alike: each list or dict value at the same key in all of them is
        replaced by a JSONFragment, rewritten as ``archive_path`` (the first file to hold it) would
        rewrite it. A value whose rewriting warns is left to each file, whose warnings name it."""
        first, *others = documents
        for key, value in first.items():
            if not (value and isinstance(value, (dict, list))):
                continue
            if any(other.get(key) is not value for other in others):
                continue
            fragment = self.json_fragment(archive_path, key, value)
            if fragment is not None:
                for document in documents:
                    document[key] = fragment

    def json_fragment(self, archive_path, key, value):
        refs = {"pages": set(), "assets": set(), "warnings": []}
        warnings_before = len(self.warnings)
        self.current_refs, self.current_json = refs, archive_path
        try:
            value = self.rewrite_json(value, key)
        finally:
            self.current_refs = self.current_json = None
        if refs["warnings"]:
            del self.warnings[warnings_before:]
            return None
        return JSONFragment(json_text.dumps(value, default=API_JSON_DEFAULT), refs["pages"], refs["assets"])

    def rewrite_json(self, value, key=None):
        """API JSON with URLs pointing into the archive (paths from its root) or at the original site.

        Numbers, booleans, nulls and, without a media storage of its own, text that does not start
        like a URL are kept as they are without a call each: an export rewrites millions of them.
        """
        if isinstance(value, dict):
            keep = self.kept_as_is
            return {k: v if keep(v) else self.rewrite_json(v, k) for k, v in value.items()}
        if isinstance(value, list):
            keep = self.kept_as_is
            return [item if keep(item) else self.rewrite_json(item) for item in value]
        if not isinstance(value, str):
            if isinstance(value, JSONFragment) and self.current_refs is not None:
                self.current_refs["pages"] |= value.pages  # What its links resolved to, as if
                self.current_refs["assets"] |= value.assets  # rewritten again in this file.
            return value
        path = self.rewriter.internal_path(value, "") if value.startswith(URL_STARTS) else None
        if path is None:
            return self.rewrite_embedded_storage_urls(value)
        if key == "detail_url" and (match := re.match(r"^/api/v2/pages/(\d+)/$", path)):
            if int(match[1]) in self.page_ids:
                self.refer_to_page(int(match[1]))
                return f"api/v2/pages/{match[1]}.json"
        if key != "html_url" and (location := self.rewriter.locate(value, "")):
            # The path as the HTML rewriter resolves it: unquoted, without a query (a signed
            # storage URL's, say), the fragment kept.
            if archive_path := self.resolve(location[0]):
                return archive_path + location[1]
        return self.base_url + path if value.startswith("http") else value

    @cached_property
    def kept_as_is(self):
        """Whether ``rewrite_json`` would give a value back as it is, judged without calling it."""
        plain = (int, float, bool, type(None))
        if self.rewriter.alias_re is not None:
            return lambda value: type(value) in plain
        return lambda value: type(value) in plain or (type(value) is str and not value.startswith(URL_STARTS))

    def rewrite_embedded_storage_urls(self, value):
        """A JSON string naming the media storage's files (rich text's HTML with an image or a link
        pasted from the bucket) with their archive copies instead, as paths from the archive's root.

        HTML is rewritten as a page is: a link to a file the archive cannot have (private, missing)
        is removed with a warning, a missing image stops the export. Other text gets the original
        site's URL of each copy. Strings naming no storage URL are left exactly as they were.
        """
        pattern = self.rewriter.alias_re
        if pattern is None or not pattern.search(value):
            return value
        if "<" not in value:
            return self.rewriter.to_base_url(value)
        result = self.rewriter.rewrite_html(value, "")
        for problem in result.problems:
            where = f"the API's {self.current_json}"
            if problem.fatal:
                raise ExportError(f"{problem.url} is not in the archive: {where} needs it.")
            self.current_refs["warnings"].append(
                f"{problem.url} is not in the archive; the link in {where} was removed."
            )
            self.warnings.append(self.current_refs["warnings"][-1])
        return result.text


class JSONFragment(json_text.Encoded):
    """A value of API JSON rewritten and written once (``ArchiveBuild.share_json``), and what its links
    resolved to (page ids, asset paths), for the references of each file that holds it."""

    __slots__ = ("pages", "assets")

    def __init__(self, text, pages, assets):
        super().__init__(text)
        self.pages, self.assets = pages, assets
