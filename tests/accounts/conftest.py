import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    # The password-reset limits count in the cache, which outlives a test (a file cache on
    # the embedded defaults, Redis otherwise): each test starts from no requests.
    cache.clear()
