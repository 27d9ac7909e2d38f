"""Fixtures for every test in the repository (app tests under trustwide/ included)."""

import pytest

from tests.conftest import login, world  # noqa: F401  (shared by app tests)


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    """Each test gets its own Parquet store and media folder."""
    settings.TRUSTWIDE_DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_national_figures():
    """National figures imported in one test are not remembered by the next (the per-process
    read of kpis.NationalFigure outlives a test's rolled-back database)."""
    from trustwide.kpis import national

    national.forget_imported()
    yield
    national.forget_imported()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached pages are keyed on ids and data versions,
    which a rolled-back test database hands out again."""
    from django.core.cache import cache

    cache.clear()
