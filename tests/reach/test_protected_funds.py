"""Protected funds count only money our quiz plausibly kept home: shown, heeded, then
reported cancelled; outsized amounts once staff confirm them; no excluded client's checks."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from quizzes.models import ApiClient, TransferCheck
from quizzes.services import api_clients_forget, transfer_check_amount_confirm
from reach import services, tasks
from reach.models import CheckBreakdownDaily, ReachDaily
from tests.factories import UserFactory
from tests.quizzes.conftest import check_body, contract_codes
from tests.quizzes.factories import api_client
from tests.reach.factories import START, World, at, snapshot

pytestmark = pytest.mark.django_db

CHECKS = "/api/v1/transfer-checks"


def protected_total() -> Decimal:
    return sum((r.protected_funds for r in ReachDaily.objects.all()), Decimal(0))


def risk_system() -> tuple[APIClient, ApiClient]:
    contract_codes()
    cache.clear()
    new = api_client(name="gaming-bank")
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {new.api_key}")
    return http, new.client


def create(http: APIClient, amount: str) -> str:
    body = check_body()
    body["transfer"]["amount"] = amount
    response = http.post(
        CHECKS,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_check_never_opened_and_resolved_cancelled_counts_nowhere(client):
    # Given a client that creates a check for a huge amount and resolves it cancelled at once
    http, _ = risk_system()
    check_id = create(http, "999999999999.99")
    resolved = http.post(
        f"{CHECKS}/{check_id}/resolution", {"resolution": "cancelled"}, format="json"
    )

    # When the figures are refreshed
    services.reach_refresh()

    # Then the resolution is on file, but neither /impact/ nor the API shows any of it
    assert resolved.status_code == 200
    assert TransferCheck.objects.get(pk=check_id).resolution == "cancelled"
    assert protected_total() == 0
    page = client.get("/impact/").content.decode()
    assert 'data-figure="protected">¥0.00<' in page
    assert client.get("/api/v1/reach").json()["totals"]["protected_funds"] == "0.00"


@pytest.mark.parametrize(
    ("opened", "status", "resolution", "counts"),
    [
        (True, "heeded", "cancelled", True),
        (False, "heeded", "cancelled", False),  # never shown: our quiz did nothing
        (True, "proceeded", "cancelled", False),  # the user went on; something else stopped it
        (True, "heeded", "completed", False),
        (True, "heeded", "reported_fraud", False),
        (True, "abandoned", "cancelled", False),
    ],
)
def test_only_a_shown_heeded_then_cancelled_check_counts(
    world: World, opened, status, resolution, counts
):
    # Given one check under the ceiling
    world.check(
        region_code="522634",
        created_at=at(START),
        status=status,
        opened_at=at(START) if opened else None,
        resolution=resolution,
        amount=Decimal("3000.00"),
    )

    # When the figures are rebuilt
    services.reach_rebuild()

    # Then its amount counts only when it was shown, heeded and then cancelled
    assert protected_total() == (Decimal("3000.00") if counts else 0)


def test_the_create_call_flags_an_amount_above_the_clients_ceiling(settings):
    # Given the platform's ceiling of 50,000 yuan and a client that has its own of 100,000
    settings.PROTECTED_FUNDS_CEILING_CNY = 50_000
    http, client = risk_system()

    # When checks are created at, above and far above the ceilings
    at_ceiling = create(http, "50000.00")
    above = create(http, "50000.01")
    ApiClient.objects.filter(pk=client.pk).update(protected_funds_ceiling=Decimal("100000"))
    api_clients_forget()  # the per-process cache of authenticated clients
    under_own = create(http, "80000.00")
    above_own = create(http, "100000.01")

    # Then only the amounts above the ceiling in force are flagged
    flagged = dict(TransferCheck.objects.values_list("id", "amount_flagged"))
    assert [flagged[uuid.UUID(i)] for i in (at_ceiling, above, under_own, above_own)] == [
        False,
        True,
        False,
        True,
    ]


def test_an_amount_above_the_ceiling_counts_only_once_staff_confirm_it(world, no_overlap):
    # Given a shown, heeded, cancelled check of 80,000 yuan flagged at creation, and one of
    # 2,000 yuan, counted by a refresh
    big = world.check(
        region_code="522634",
        created_at=at(START),
        status="heeded",
        resolution="cancelled",
        amount=Decimal("80000.00"),
        amount_flagged=True,
    )
    world.check(
        region_code="522634",
        created_at=at(START),
        status="heeded",
        resolution="cancelled",
        amount=Decimal("2000.00"),
    )
    services.reach_refresh()
    assert protected_total() == Decimal("2000.00")
    staff = UserFactory(roles=[Role.STAFF])

    # When a staff member confirms the big amount, and the incremental refresh runs
    transfer_check_amount_confirm(check=big, by=staff)
    transfer_check_amount_confirm(check=big, by=staff)  # again: nothing more
    result = services.reach_refresh()

    # Then the refresh picked the cell up, it counts, and that is what a rebuild gives
    assert result.rows_changed > 0
    assert protected_total() == Decimal("82000.00")
    incremental = snapshot()
    services.reach_rebuild()
    assert snapshot() == incremental
    # and the confirmation is audited once, with its actor and before/after
    entry = AuditLog.objects.get(action=AuditAction.TRANSFER_CHECK_AMOUNT_CONFIRMED)
    assert (entry.actor, entry.target_id) == (staff, str(big.pk))
    assert entry.before == {"amount_confirmed_at": None}
    assert entry.after["amount_confirmed_at"] is not None


def test_staff_confirm_a_waiting_amount_on_the_review_page(world, django_assert_max_num_queries):
    # Given a flagged check waiting for confirmation
    big = world.check(
        created_at=at(START), status="heeded", resolution="cancelled", amount_flagged=True
    )
    staff, learner = UserFactory(roles=[Role.STAFF]), UserFactory(roles=[Role.LEARNER])
    browser = Client()
    url = f"/quizzes/figures/review/checks/{big.pk}/confirm/"

    # Then a learner can neither see the page nor confirm
    browser.force_login(learner)
    assert browser.get("/quizzes/figures/review/").status_code == 403
    assert browser.post(url).status_code == 403
    # and staff see the check waiting, confirm it, and it waits no more
    browser.force_login(staff)
    for _ in range(5):
        world.check(amount_flagged=True)
    with django_assert_max_num_queries(6):  # session, user, permissions, checks, clients
        waiting = browser.get("/quizzes/figures/review/").content.decode()
    assert f'data-check="{big.pk}"' in waiting
    assert browser.post(url).status_code == 302
    big.refresh_from_db()
    assert big.amount_confirmed_at is not None
    page = browser.get("/quizzes/figures/review/").content.decode()
    assert f'data-check="{big.pk}"' not in page
    assert AuditLog.objects.filter(
        action=AuditAction.TRANSFER_CHECK_AMOUNT_CONFIRMED, actor=staff
    ).exists()


def test_the_admin_action_confirms_flagged_amounts_only(world, admin_client):
    # Given a flagged check and one under the ceiling
    big = world.check(created_at=at(START), amount_flagged=True)
    small = world.check(created_at=at(START))

    # When staff run the admin action over both
    response = admin_client.post(
        "/admin/quizzes/transfercheck/",
        {"action": "confirm_amounts", "_selected_action": [str(big.pk), str(small.pk)]},
    )

    # Then only the flagged one is confirmed, and audited
    assert response.status_code == 302
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.amount_confirmed_at is not None and small.amount_confirmed_at is None
    assert AuditLog.objects.filter(action=AuditAction.TRANSFER_CHECK_AMOUNT_CONFIRMED).count() == 1
    waiting = admin_client.get("/admin/quizzes/transfercheck/?amount=waiting")
    assert waiting.status_code == 200


def test_excluding_a_client_rebuilds_figures_without_its_checks(
    world, no_overlap, django_capture_on_commit_callbacks
):
    # Given a month of activity with the checks of two clients, counted by a refresh
    other = ApiClient.objects.create(
        name="Gaming bank", key_prefix="rk_game", key_hash="y" * 64, webhook_secret="t" * 32
    )
    world.generate(40)
    for _ in range(15):
        world.check(client=other, status="heeded")
    services.reach_refresh()
    with_both = snapshot()
    staff = UserFactory(roles=[Role.STAFF])

    # When staff leave the other client out of the figures, and the rebuild it enqueues runs
    with django_capture_on_commit_callbacks() as callbacks:
        services.api_client_figures_exclude(client=other, by=staff)
        services.api_client_figures_exclude(client=other, by=staff)  # again: nothing more
    assert len(callbacks) == 1
    tasks.rebuild.apply()
    excluded = snapshot()

    # Then the figures are those of the first client's checks alone
    assert excluded != with_both
    entry = AuditLog.objects.get(action=AuditAction.API_CLIENT_FIGURES_EXCLUDED)
    assert (entry.actor, entry.target_id) == (staff, str(other.pk))
    assert entry.before == {"figures_excluded_at": None}
    # (what a rebuild gives when the client's checks are not there at all)
    TransferCheck.objects.filter(client=other).delete()
    services.reach_rebuild()
    assert snapshot() == excluded
    # and later refreshes still give what a fresh rebuild gives
    for _ in range(5):
        world.check(client=other, status="heeded", created_at=at(START + timedelta(days=3)))
    world.live = True
    world.generate(10)
    services.reach_refresh()
    incremental = snapshot()
    services.reach_rebuild()
    assert snapshot() == incremental


def test_counting_a_client_again_restores_its_figures(world, django_capture_on_commit_callbacks):
    # Given a client's checks, counted, then left out
    world.generate(20)
    services.reach_rebuild()
    counted = snapshot()
    staff = UserFactory(roles=[Role.STAFF])
    with django_capture_on_commit_callbacks():
        services.api_client_figures_exclude(client=world.client, by=staff)
    tasks.rebuild.apply()
    assert not any(row for row in snapshot()[2])  # no check breakdown left

    # When staff count it again
    with django_capture_on_commit_callbacks() as callbacks:
        services.api_client_figures_include(client=world.client, by=staff)
    assert len(callbacks) == 1
    tasks.rebuild.apply()

    # Then the figures are back as they were, and both changes are audited
    assert snapshot() == counted
    assert AuditLog.objects.filter(action=AuditAction.API_CLIENT_FIGURES_EXCLUDED).count() == 1
    assert AuditLog.objects.filter(action=AuditAction.API_CLIENT_FIGURES_INCLUDED).count() == 1


def test_staff_leave_a_client_out_on_the_review_page(world, django_capture_on_commit_callbacks):
    # Given a staff member and a learner on the review page
    staff, learner = UserFactory(roles=[Role.STAFF]), UserFactory(roles=[Role.LEARNER])
    browser = Client()
    url = f"/quizzes/figures/review/clients/{world.client.pk}/"
    browser.force_login(learner)
    assert browser.post(url, {"counted": "no"}).status_code == 403
    browser.force_login(staff)

    # When staff leave the client out
    with django_capture_on_commit_callbacks() as callbacks:
        response = browser.post(url, {"counted": "no"})

    # Then it is left out, the rebuild is enqueued, and the page offers to count it again
    assert response.status_code == 302
    assert len(callbacks) == 1
    world.client.refresh_from_db()
    assert world.client.figures_excluded_at is not None
    page = browser.get("/quizzes/figures/review/").content.decode()
    assert 'name="counted" value="yes"' in page


def test_the_review_page_says_how_to_add_a_client_when_there_is_none(db):
    ApiClient.objects.all().delete()
    browser = Client()
    browser.force_login(UserFactory(roles=[Role.STAFF]))

    page = browser.get("/quizzes/figures/review/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "还没有 API 客户端" in page.content.decode()


def test_protected_funds_add_up_to_the_cent_whatever_the_amounts(world):
    # Given heeded, cancelled checks of one older person's band and one scam type in one
    # cell, whose amounts in yuan have no exact binary form (0.10, 0.20, 0.70), beside a
    # billion-yuan one (confirmed by staff)
    same = {
        "region_code": "522634",
        "created_at": at(START),
        "status": "heeded",
        "resolution": "cancelled",
        "age_band": "60_plus",
        "scam_types": ["impersonating_police"],
    }
    for amount in ("0.10", "0.20", "0.70"):
        world.check(amount=Decimal(amount), **same)
    world.check(
        amount=Decimal("999999999.99"), amount_flagged=True, amount_confirmed_at=at(START), **same
    )

    # When the figures are rebuilt
    services.reach_rebuild()

    # Then the cell, its age band and its scam type each hold the exact sum, to the cent
    exact = Decimal("1000000000.99")
    row = ReachDaily.objects.get(county_code="522634", day=START)
    assert row.protected_funds == exact
    assert row.band_60_plus_protected_funds == exact
    assert row.band_none_protected_funds == 0
    splits = CheckBreakdownDaily.objects.filter(county_code="522634", day=START)
    assert sorted(splits.values_list("dimension", "code", "protected_funds")) == [
        ("scam_type", "impersonating_police", exact),
    ]
