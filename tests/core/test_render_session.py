"""An export's render session is its own: live requests, in other threads or after it, never see it."""

import threading

import pytest

from cms.core.models import Person
from cms.core.shared import in_render_session, known, known_objects, render_session, shared


def in_another_thread(function):
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=function()))
    thread.start()
    thread.join()
    return result["value"]


def test_what_a_session_knows_and_works_out_is_not_seen_by_another_thread():
    person = Person(pk=7, name="As the export loaded her")
    with known_objects([person]), render_session():
        shared("menu", lambda: "the export's menu")

        assert known(Person, [7]) == {7: person}
        assert shared("menu", lambda: "worked out again") == "the export's menu"
        # A live request served by another thread meanwhile works everything out afresh.
        assert in_another_thread(lambda: known(Person, [7])) is None
        assert in_another_thread(lambda: shared("menu", lambda: "worked out again")) == "worked out again"
        assert in_another_thread(in_render_session) is False


def test_nothing_outlives_the_session():
    with render_session():
        shared("menu", lambda: "the export's menu")
        with known_objects([Person(pk=7, name="Loaded")]):
            pass
    assert not in_render_session()
    assert known(Person, [7]) is None
    assert shared("menu", lambda: "afresh") == "afresh"


@pytest.mark.parametrize("nested", [True, False])
def test_known_objects_are_known_only_while_their_block_runs(nested):
    with render_session() if nested else known_objects([]):
        with known_objects([Person(pk=1, name="One")]):
            assert known(Person, [1]) is not None
        assert known(Person, [1]) is None
