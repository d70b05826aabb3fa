"""Factories for the campaigns app, and helpers that make real image bytes with Pillow."""

from __future__ import annotations

import io
import uuid
from datetime import date

import factory
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from campaigns.models import Assignment, Campaign, SessionLog, Team, VenueType
from regions.models import Level, Region
from tests.factories import UserFactory


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]


def region_tree() -> dict[str, Region]:
    """A small real piece of the table: Guizhou, Qiandongnan with two counties, Guiyang with
    one, and Chongqing with a district directly under the municipality."""
    gz = RegionFactory(code="520000", name="贵州省", level=Level.PROVINCE)
    qdn = RegionFactory(
        code="522600", name="黔东南苗族侗族自治州", level=Level.PREFECTURE, parent=gz
    )
    gy = RegionFactory(code="520100", name="贵阳市", level=Level.PREFECTURE, parent=gz)
    cq = RegionFactory(code="500000", name="重庆市", level=Level.PROVINCE)
    return {
        "guizhou": gz,
        "qiandongnan": qdn,
        "guiyang": gy,
        "leishan": RegionFactory(code="522634", name="雷山县", level=Level.COUNTY, parent=qdn),
        "congjiang": RegionFactory(code="522633", name="从江县", level=Level.COUNTY, parent=qdn),
        "kaiyang": RegionFactory(code="520121", name="开阳县", level=Level.COUNTY, parent=gy),
        "chongqing": cq,
        "wanzhou": RegionFactory(code="500101", name="万州区", level=Level.COUNTY, parent=cq),
    }


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"金融教育进百县 {n}")
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)
    goal_sessions = 100
    goal_people = 5000


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"蓝马甲 {n} 队")


def volunteer_in(campaign: Campaign, county: Region | None = None, **kwargs):
    user = UserFactory(roles=[Role.LEARNER, Role.VOLUNTEER], **kwargs)
    team = TeamFactory(campaign=campaign)
    if county is not None:
        team.counties.add(county)
    Assignment.objects.create(team=team, volunteer=user, county=county)
    return user


def coordinator_of(campaign: Campaign, **kwargs):
    user = UserFactory(roles=[Role.LEARNER, Role.COORDINATOR], **kwargs)
    campaign.coordinators.add(user)
    return user


class SessionLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionLog

    client_uuid = factory.LazyFunction(uuid.uuid4)
    campaign = factory.SubFactory(CampaignFactory)
    volunteer = factory.SubFactory(UserFactory)
    held_on = factory.LazyFunction(timezone.localdate)
    venue_type = VenueType.VILLAGE_COMMITTEE
    venue_name = factory.Sequence(lambda n: f"第{n}村村委会")
    attendees_elderly = 20
    attendees_total = 20


def jpeg_bytes(size=(640, 480), color=(200, 60, 40), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, color)
    img.save(out, format="JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def exif_with_gps() -> bytes:
    """EXIF with a camera model and a GPS position (Leishan county, Guizhou)."""
    exif = Image.Exif()
    exif[0x0110] = "VolunteerPhone X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (26.0, 22.0, 48.0)
    gps[3] = "E"
    gps[4] = (108.0, 4.0, 12.0)
    return exif.tobytes()


def png_bomb(width=10_000, height=10_000) -> bytes:
    """A tiny PNG whose header holds 100 million pixels: a decompression bomb."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()
