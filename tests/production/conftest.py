"""A database migrated once per test run for the tests that run real servers (serving.py): each copies
it rather than migrating anew."""

import shutil

import pytest

from tests.production.serving import manage, serving_env


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("migrated")
    manage(serving_env(folder), "migrate", "--no-input", "-v0")
    return folder / "db.sqlite3"


@pytest.fixture(scope="module")
def serving_folder(tmp_path_factory, migrated_database):
    """A folder for one module's servers, with a copy of the migrated database in it."""
    folder = tmp_path_factory.mktemp("serving")
    shutil.copy(migrated_database, folder / "db.sqlite3")
    return folder
