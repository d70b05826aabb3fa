import pytest

from tests.campaigns.factories import CampaignFactory, region_tree
from tests.storage import files_of_this_test


@pytest.fixture
def regions(db):
    return region_tree()


@pytest.fixture
def campaign(regions):
    campaign = CampaignFactory()
    campaign.target_counties.set([regions["leishan"], regions["congjiang"], regions["kaiyang"]])
    return campaign


@pytest.fixture(autouse=True)
def _media_in_tmp(request, settings, tmp_path):
    # Tests with real processes share the media folder of the test settings with them.
    if request.node.get_closest_marker("worker") or request.node.get_closest_marker("browser"):
        return
    # On the services run, photos and exports go to the S3-compatible server's buckets.
    files_of_this_test(request, settings, tmp_path)
