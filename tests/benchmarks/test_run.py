"""The benchmark reports what the export does: each SQL query of the page stage counted once."""

import pytest
from django.db import connection

from benchmarks.run import QueryCounter, page_stage_archive, run_page_stage
from cms.core.demo_content import load_demo_content
from static_export.options import ExportOptions

pytestmark = pytest.mark.django_db


def test_the_page_stage_counts_each_query_once_with_one_worker(tmp_path):
    load_demo_content(with_closure_notice=True)
    archive = page_stage_archive(
        tmp_path / "build", options=ExportOptions(output=tmp_path / "archive", workers=1)
    )
    every_query = QueryCounter()
    with connection.execute_wrapper(every_query):
        reported = run_page_stage(archive)

    assert archive.page_queries > 0  # The batches' queries are among those reported...
    assert reported == every_query.count  # ...and no query is counted twice.
