import pytest

from tests.reach.factories import World


@pytest.fixture
def no_overlap(settings):
    """Refreshes read exactly from the previous run's start, so a test sees that only the
    rows stamped since are picked up."""
    settings.REACH_REFRESH_OVERLAP_SECONDS = 0


@pytest.fixture
def world(db):
    return World(seed=7)
