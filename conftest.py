"""Fixtures for every test in the repository (app tests under trustwide/ included)."""

import pytest

from tests.conftest import login, world  # noqa: F401  (shared by app tests)


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    """Each test gets its own Parquet store and media folder."""
    settings.TRUSTWIDE_DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
