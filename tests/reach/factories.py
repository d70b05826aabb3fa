"""Generated source data for reach statistics: sessions, lessons, certificates and checks
spread over counties and days, with timestamps we choose."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from campaigns.models import Campaign, SessionLog, Status
from edu.models import Certificate, Enrollment, LessonProgress
from quizzes.models import ApiClient, TransferCheck
from reach.models import CampaignReachDaily, CheckBreakdownDaily, ReachDaily
from tests.campaigns.factories import CampaignFactory, region_tree
from tests.edu.factories import LessonFactory
from tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def api_client() -> ApiClient:
    client, _ = ApiClient.objects.get_or_create(
        name="Risk system",
        defaults={"key_prefix": "rk_test", "key_hash": "x" * 64, "webhook_secret": "s" * 32},
    )
    return client


class World:
    """Regions, a campaign, learners and lessons to hang generated rows on."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
        self.regions = region_tree()
        self.counties = [self.regions[k] for k in ("leishan", "congjiang", "kaiyang", "wanzhou")]
        self.campaigns: list[Campaign] = [CampaignFactory(), CampaignFactory()]
        for campaign in self.campaigns:
            campaign.target_counties.add(*self.counties[:3])
        self.volunteer = UserFactory()
        self.learners = [UserFactory() for _ in range(6)]
        self.lessons = [LessonFactory() for _ in range(4)]
        self.client = api_client()
        # Once live, rows stamped by the services at insert (checks, course completions,
        # certificates) carry the real time, as they do in production; session dates and
        # lesson completions may still lie in the past (late arrivals).
        self.live = False

    def stamp(self, day: date, hour: int) -> datetime:
        return timezone.now() if self.live else at(day, hour)

    def day(self, spread: int = 20) -> date:
        return START + timedelta(days=self.rng.randrange(spread))

    def session(self, *, status: str = Status.APPROVED, **fields) -> SessionLog:
        counts = {
            f"attendees_{a}": self.rng.randrange(0, 30)
            for a in ("elderly", "students", "farmers", "women", "other")
        }
        values = {
            "client_uuid": uuid.uuid4(),
            "campaign": self.rng.choice(self.campaigns),
            "volunteer": self.volunteer,
            "county": self.rng.choice(self.counties),
            "held_on": self.day(),
            "venue_type": "village_committee",
            "venue_name": "村委会",
            "status": status,
            "attendees_total": sum(counts.values()),
            **counts,
        }
        values.update(fields)
        if values["status"] != Status.PENDING:
            values.setdefault("reviewed_at", timezone.now())
        return SessionLog.objects.create(**values)

    def lesson_done(self, *, completed: datetime | None = None) -> LessonProgress | None:
        user, lesson = self.rng.choice(self.learners), self.rng.choice(self.lessons)
        if LessonProgress.objects.filter(user=user, lesson=lesson).exists():
            return None
        return LessonProgress.objects.create(
            user=user, lesson=lesson, completed_at=completed or at(self.day(), 9)
        )

    def course_done(self) -> Enrollment:
        user = self.rng.choice(self.learners)
        course = self.rng.choice(self.lessons).course
        enrollment, _ = Enrollment.objects.get_or_create(user=user, course=course)
        enrollment.completed_at = self.stamp(self.day(), 20)
        enrollment.save()
        if not Certificate.objects.filter(user=user, course=course).exists():
            Certificate.objects.create(
                serial=f"AQ-{uuid.uuid4().hex[:12]}",
                user=user,
                course=course,
                course_version=1,
                learner_name="学员",
                course_title_zh=course.title_zh,
                issued_at=enrollment.completed_at,
            )
        return enrollment

    def check(self, **fields) -> TransferCheck:
        created = self.stamp(self.day(), self.rng.randrange(0, 24))
        status = fields.pop(
            "status", self.rng.choice(["heeded", "heeded", "proceeded", "pending", "expired"])
        )
        created = fields.pop("created_at", created)
        values = {
            "client": self.client,
            "subject_ref": f"u-{uuid.uuid4().hex[:8]}",
            "age_band": self.rng.choice(["60_plus", "60_plus", "35_59", "18_34", ""]),
            "scam_types": self.rng.choice(
                [[], ["impersonating_police"], ["task_rebate", "fake_loan"], ["fake_loan"]]
            ),
            "region_code": self.rng.choice([c.code for c in self.counties] + ["", "999999"]),
            "amount": Decimal(self.rng.randrange(100, 900000)) / 100,
            "currency": "CNY",
            "status": status,
            "created_at": created,
            "expires_at": created + timedelta(hours=1),
            "opened_at": None if status in ("pending", "expired") else created,
            "completed_at": created if status in ("heeded", "proceeded") else None,
            "resolution": "cancelled" if status == "heeded" else "",
        }
        values.update(fields)
        return TransferCheck.objects.create(**values)

    def generate(self, n: int = 40) -> None:
        for _ in range(n):
            self.session(status=self.rng.choice([Status.APPROVED] * 3 + [Status.PENDING]))
            self.lesson_done()
            self.check()
            if self.rng.random() < 0.3:
                self.course_done()


def snapshot() -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Every stored figure, without ids, in a stable order."""
    daily = sorted(
        tuple(str(v) for v in row)
        for row in ReachDaily.objects.values_list(
            *[f.attname for f in ReachDaily._meta.concrete_fields if f.name != "id"]
        )
    )
    campaigns = sorted(
        tuple(str(v) for v in row)
        for row in CampaignReachDaily.objects.values_list(
            *[f.attname for f in CampaignReachDaily._meta.concrete_fields if f.name != "id"]
        )
    )
    checks = sorted(
        tuple(str(v) for v in row)
        for row in CheckBreakdownDaily.objects.values_list(
            *[f.attname for f in CheckBreakdownDaily._meta.concrete_fields if f.name != "id"]
        )
    )
    return daily, campaigns, checks
