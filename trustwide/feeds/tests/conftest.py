import datetime
import os
from pathlib import Path

import pytest

from trustwide.trusts.models import AcademicYear

from .wonde_server import LocalWonde

YEAR = 2025  # the recorded responses are of 2025/26


@pytest.fixture
def feed_root(settings, tmp_path) -> Path:
    settings.TRUSTWIDE_FEED_ROOT = tmp_path / "feeds"
    settings.TRUSTWIDE_FEED_ROOT.mkdir()
    return settings.TRUSTWIDE_FEED_ROOT


@pytest.fixture
def year_2025(world):
    """Trust A's current year is 2025/26, whatever today is."""
    from tests.world import make_year

    AcademicYear.objects.filter(trust=world.trust_a).update(is_current=False)
    found = AcademicYear.objects.filter(trust=world.trust_a, start_year=YEAR).first()
    if found is None:
        make_year(world.trust_a, YEAR, current=True)
    else:
        found.is_current = True
        found.save()
    return world


@pytest.fixture
def wonde(settings):
    with LocalWonde() as server:
        settings.TRUSTWIDE_WONDE_API_URL = server.base
        yield server


def settle(path: Path) -> Path:
    """Date a dropped file 10 minutes back: the folder source leaves files still being written."""
    old = (datetime.datetime.now() - datetime.timedelta(minutes=10)).timestamp()
    os.utime(path, (old, old))
    return path
