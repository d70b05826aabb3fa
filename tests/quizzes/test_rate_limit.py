"""The per-client rate limit: exact for small limits, leased in blocks for large ones, never
more than the limit across processes."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from quizzes import auth

from .factories import api_client


@pytest.fixture
def minute_start(clock):
    """The clock stands at the start of a minute, so every call falls in one window."""
    return clock.set(datetime(2026, 3, 2, 9, 30, 0, 500000, tzinfo=UTC))


@pytest.mark.django_db
def test_a_large_limit_is_enforced_exactly_in_one_process(minute_start):
    # Given a client allowed 4,000 calls a minute (leases of 20 permits)
    cache.clear()
    client = api_client(name="big-bank", rate_limit_per_minute=4000).client
    assert auth.rate_limit_lease_size(4000) == 20
    # When it calls 4,001 times within the minute
    waits = [auth.rate_limit_wait(client) for _ in range(4001)]
    # Then the first 4,000 pass and the next one is told to wait until the minute ends
    assert waits[:4000] == [None] * 4000
    assert waits[4000] == 59.5


@pytest.mark.django_db
def test_several_processes_together_never_exceed_the_limit(minute_start):
    # Given three web processes (each with its own leases) serving one client in turns
    cache.clear()
    client = api_client(name="shared-bank", rate_limit_per_minute=1000).client
    processes = [{}, {}, {}]
    allowed = 0
    for call in range(1500):
        auth._leases = processes[call % 3]
        allowed += auth.rate_limit_wait(client) is None
    auth._leases = {}
    # Then no more than the limit passed, and at most the unused part of one lease per
    # process was lost
    assert 1000 - 3 * (auth.rate_limit_lease_size(1000) - 1) <= allowed <= 1000


@pytest.mark.django_db
def test_a_small_limit_takes_one_permit_at_a_time(minute_start):
    cache.clear()
    client = api_client(name="small-bank", rate_limit_per_minute=150).client
    waits = [auth.rate_limit_wait(client) for _ in range(151)]
    assert auth.rate_limit_lease_size(150) == 1
    assert waits.count(None) == 150


@pytest.mark.django_db
def test_the_next_minute_opens_a_new_window(minute_start, clock):
    # Given a client that used up its minute
    cache.clear()
    client = api_client(name="patient-bank", rate_limit_per_minute=2).client
    assert [auth.rate_limit_wait(client) for _ in range(3)] == [None, None, 59.5]
    # When the clock passes into the next minute
    clock.advance(seconds=60)
    # Then the client may call again
    assert auth.rate_limit_wait(client) is None


def rate_keys_and_ttls():
    import redis
    from django.conf import settings

    server = redis.Redis.from_url(settings.REDIS_URL)
    return {key: server.ttl(key) for key in server.scan_iter("*quizzes:rate:*")}


@pytest.mark.services
@pytest.mark.django_db
def test_every_rate_key_in_redis_expires_after_use(minute_start):
    # Given clients with small and large limits
    cache.clear()
    clients = [
        api_client(name=f"bank-{limit}", rate_limit_per_minute=limit).client
        for limit in (2, 150, 4000)
    ]
    # When each calls past its lease a few times
    for client in clients:
        for _ in range(45):
            auth.rate_limit_wait(client)
    # Then every counter Redis holds has a lifetime
    ttls = rate_keys_and_ttls()
    assert len(ttls) == 3
    assert all(0 < ttl <= auth.WINDOW_KEY_SECONDS for ttl in ttls.values()), ttls


@pytest.mark.services
@pytest.mark.django_db
def test_a_rate_key_left_without_expiry_gets_one_on_its_next_use(minute_start):
    # Given a window counter that a process crashing between two calls left without expiry
    import redis
    from django.conf import settings

    cache.clear()
    client = api_client(name="crashed-bank", rate_limit_per_minute=150).client
    window = int(minute_start.timestamp() // 60)
    key = cache.make_and_validate_key(f"quizzes:rate:{client.pk}:{window}")
    redis.Redis.from_url(settings.REDIS_URL).set(key, 5)
    # When the client calls
    assert auth.rate_limit_wait(client) is None
    # Then the counter went on from where it was and now expires
    assert rate_keys_and_ttls() == {key.encode(): auth.WINDOW_KEY_SECONDS}
    assert int(redis.Redis.from_url(settings.REDIS_URL).get(key)) == 6
