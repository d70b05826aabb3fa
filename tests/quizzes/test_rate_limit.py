"""The per-client rate limit: exact for small limits, leased in blocks for large ones, never
more than the limit across processes."""

import time

import pytest
from django.core.cache import cache

from quizzes import auth

from .factories import api_client


def away_from_a_minute_boundary():
    if time.time() % 60 > 57:
        time.sleep(60 - time.time() % 60 + 0.1)


@pytest.mark.django_db
def test_a_large_limit_is_enforced_exactly_in_one_process():
    # Given a client allowed 4,000 calls a minute (leases of 20 permits)
    cache.clear()
    client = api_client(name="big-bank", rate_limit_per_minute=4000).client
    assert auth.rate_limit_lease_size(4000) == 20
    away_from_a_minute_boundary()
    # When it calls 4,001 times within the minute
    waits = [auth.rate_limit_wait(client) for _ in range(4001)]
    # Then the first 4,000 pass and the next one is told to wait until the minute ends
    assert waits[:4000] == [None] * 4000
    assert 0 < waits[4000] <= 60


@pytest.mark.django_db
def test_several_processes_together_never_exceed_the_limit():
    # Given three web processes (each with its own leases) serving one client in turns
    cache.clear()
    client = api_client(name="shared-bank", rate_limit_per_minute=1000).client
    away_from_a_minute_boundary()
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
def test_a_small_limit_takes_one_permit_at_a_time():
    cache.clear()
    client = api_client(name="small-bank", rate_limit_per_minute=150).client
    away_from_a_minute_boundary()
    waits = [auth.rate_limit_wait(client) for _ in range(151)]
    assert auth.rate_limit_lease_size(150) == 1
    assert waits.count(None) == 150
