"""The demo fills the impact page."""

import pytest

from core.demo import demo_seed
from reach.models import ReachDaily


@pytest.mark.django_db
def test_demo_seed_fills_the_impact_page(client):
    demo_seed()

    page = client.get("/impact/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert ReachDaily.objects.filter(sessions__gt=0).exists()
    assert "覆盖 0 人次" not in page and "覆盖 " in page
