"""Demo content of the campaigns app: two campaigns over real counties, teams, a few hundred
approved and pending sessions with photos drawn by Pillow. Idempotent (a campaign that exists
is left alone) and fast: it runs on every ``make run``."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_role_assign
from regions.models import Region

from . import services
from .models import Campaign, Status, VenueType


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    description: str
    regions: tuple[str, ...]
    goal_sessions: int
    goal_people: int
    days: int
    venues: tuple[tuple[str, str], ...]  # (venue type, name pattern)
    topics: tuple[str, ...]
    audiences: tuple[str, ...]
    teams: tuple[tuple[str, str, tuple[str, ...]], ...]  # (team, county, volunteers)
    sessions: int


CAMPAIGNS = [
    DemoCampaign(
        name="金融教育进百县",
        description=(
            "在贵州全省、甘肃定西和四川凉山的县乡村开展金融知识和反诈宣讲，重点面向老年人和农民。"
            " / Financial-literacy and anti-scam talks in the counties of Guizhou, Dingxi "
            "(Gansu) and Liangshan (Sichuan), above all for elderly people and farmers."
        ),
        regions=("520000", "621100", "513400"),
        goal_sessions=600,
        goal_people=30000,
        days=150,
        venues=(
            (VenueType.VILLAGE_COMMITTEE, "{town}村委会"),
            (VenueType.MARKET, "{town}集市"),
            (VenueType.NURSING_HOME, "{town}敬老院"),
            (VenueType.COMMUNITY_CENTRE, "{town}社区服务中心"),
        ),
        topics=(
            "养老诈骗的常见话术",
            "“安全账户”都是骗局；96110 劝阻专线",
            "刷单返利都是诈骗",
            "虚假贷款：先交钱的都是骗子",
            "保管好银行卡和短信验证码",
            "冒充公检法：警察不会电话办案",
        ),
        audiences=("elderly", "farmers", "women"),
        teams=(
            ("雷山县蓝马甲服务队", "522634", ("volunteer", "demo-vol-1")),
            ("从江县蓝马甲服务队", "522633", ("demo-vol-2",)),
            ("开阳县金融志愿服务队", "520121", ("demo-vol-3",)),
            ("临洮县金融志愿服务队", "621124", ("demo-vol-4",)),
            ("西昌市金融志愿服务队", "513401", ("demo-vol-5",)),
        ),
        sessions=230,
    ),
    DemoCampaign(
        name="校园反诈护航行动",
        description=(
            "在武汉和西安的高校、中学开展反诈宣讲，讲清刷单、网络游戏交易和“杀猪盘”。"
            " / Anti-fraud talks at universities and schools in Wuhan and Xi'an: task "
            "rebates, game-trade scams and romance scams."
        ),
        regions=("420100", "610100"),
        goal_sessions=150,
        goal_people=40000,
        days=90,
        venues=((VenueType.SCHOOL, "{town}中学"), (VenueType.SCHOOL, "{town}职业技术学院")),
        topics=(
            "刷单返利：任何要你先垫钱的兼职都是诈骗",
            "网络游戏账号交易骗局",
            "网络婚恋交友与“杀猪盘”",
            "不出借银行卡和电话卡",
        ),
        audiences=("students",),
        teams=(
            ("武昌区校园反诈宣讲队", "420106", ("volunteer", "demo-vol-6")),
            ("洪山区校园反诈宣讲队", "420111", ("demo-vol-7",)),
            ("雁塔区校园反诈宣讲队", "610113", ("demo-vol-8",)),
        ),
        sessions=90,
    ),
]
TOWNS = (
    "西江",
    "郎德",
    "丹江",
    "大塘",
    "永乐",
    "望丰",
    "桃江",
    "达地",
    "方祥",
    "朗德",
    "新华",
    "东风",
)
VOLUNTEER_NAMES = {
    "demo-vol-1": "杨光明",
    "demo-vol-2": "吴秀兰",
    "demo-vol-3": "王建国",
    "demo-vol-4": "马文芳",
    "demo-vol-5": "阿西木呷",
    "demo-vol-6": "张子涵",
    "demo-vol-7": "刘一鸣",
    "demo-vol-8": "赵思远",
}
PHOTO_SHARE = 3  # every third approved session has a photo; every pending one has one


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = ""
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        path = found.stdout.strip()
    try:
        return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)
    except OSError:
        return ImageFont.load_default(size)


def sign_in_sheet(*, title: str, when: date, people: int, seed: int) -> bytes:
    """A drawn sign-in sheet: the session's title, date and a grid of signatures."""
    rnd = random.Random(seed)  # noqa: S311 - demo drawings, not secrets
    img = Image.new("RGB", (480, 360), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    draw.text((20, 14), "签到表", font=_font(26), fill=(30, 30, 30))
    draw.text((20, 50), f"{title}  {when:%Y-%m-%d}", font=_font(16), fill=(60, 60, 60))
    for row in range(9):
        y = 86 + row * 28
        draw.line((20, y, 460, y), fill=(170, 170, 170))
        if row < min(8, people):
            x = 40
            for _ in range(rnd.randint(2, 4)):  # a scribbled signature
                w = rnd.randint(18, 40)
                draw.arc(
                    (x, y - 20, x + w, y - 2), rnd.randint(0, 180), 360, fill=(20, 40, 120), width=2
                )
                x += w - 6
            draw.text((300, y - 22), f"{row + 1}", font=_font(14), fill=(90, 90, 90))
    draw.text((20, 336), f"共 {people} 人", font=_font(14), fill=(90, 90, 90))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _user(username: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": VOLUNTEER_NAMES.get(username, username)}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user_role_assign(user=user, role=Role.VOLUNTEER, by=None)
    return user


def _attendees(rnd: random.Random, venue_type: str, audiences: tuple[str, ...]) -> dict[str, int]:
    if venue_type == VenueType.SCHOOL:
        return {"students": rnd.randint(60, 420), "other": rnd.randint(0, 12)}
    if venue_type == VenueType.NURSING_HOME:
        return {"elderly": rnd.randint(12, 45), "other": rnd.randint(0, 5)}
    counts = {a: rnd.randint(6, 35) for a in audiences}
    counts["other"] = rnd.randint(0, 8)
    return counts


def campaign_demo_seed(*, today: date | None = None) -> list[Campaign]:
    """Create the demo campaigns that do not exist yet. Returns every demo campaign."""
    today = today or timezone.localdate()
    coordinator = User.objects.filter(username="coordinator").first()
    out = []
    for index, spec in enumerate(CAMPAIGNS):
        existing = Campaign.objects.filter(name=spec.name).first()
        if existing is not None:
            out.append(existing)
            continue
        if not Region.objects.filter(code__in=spec.regions).exists():
            continue  # regions not loaded: nothing to campaign over
        rnd = random.Random(2026 + index)  # noqa: S311 - reproducible demo data
        out.append(_campaign_seed(spec, coordinator, today, rnd))
    return out


@transaction.atomic
def _campaign_seed(
    spec: DemoCampaign, coordinator: User | None, today: date, rnd: random.Random
) -> Campaign:
    campaign = services.campaign_create(
        name=spec.name,
        description=spec.description,
        starts_on=today - timedelta(days=spec.days),
        ends_on=today + timedelta(days=120),
        region_codes=spec.regions,
        goal_sessions=spec.goal_sessions,
        goal_people=spec.goal_people,
        coordinators=[coordinator] if coordinator else [],
    )
    targets = list(campaign.target_counties.values_list("code", flat=True))
    counties = Region.objects.in_bulk([c for _, c, _ in spec.teams])
    volunteers: list[tuple[User, str]] = []
    for team_name, county_code, usernames in spec.teams:
        for username in usernames:
            user = _user(username)
            services.team_assign(
                campaign=campaign, team_name=team_name, volunteer=user, county=counties[county_code]
            )
            volunteers.append((user, county_code))
    for number in range(spec.sessions):
        volunteer, home = rnd.choice(volunteers)
        pending = number % 5 == 0  # a fifth still waits for review
        county = home if rnd.random() < 0.45 else rnd.choice(targets)
        venue_type, pattern = rnd.choice(spec.venues)
        attendees = _attendees(rnd, venue_type, spec.audiences)
        if number == 5:  # a likely typo for the review queue's automatic flags
            venue_type, pattern, attendees = spec.venues[0][0], spec.venues[0][1], {"other": 1200}
        held_on = today - timedelta(
            days=rnd.randint(0, 10) if pending else rnd.randint(1, spec.days - 1)
        )
        log, _created = services.session_log_sync(
            volunteer=volunteer,
            data=services.SessionInput(
                client_uuid=uuid.UUID(int=rnd.getrandbits(128), version=4),
                campaign_id=campaign.pk,
                county_code=county,
                held_on=held_on,
                venue_type=venue_type,
                venue_name=pattern.format(town=rnd.choice(TOWNS)),
                attendees=attendees,
                topics="；".join(rnd.sample(spec.topics, 2)),
            ),
            received_on=held_on + timedelta(days=rnd.randint(0, 2)),
        )
        if pending or number % PHOTO_SHARE == 0:
            photo, _ = services.session_photo_attach(
                log=log,
                volunteer=volunteer,
                client_photo_id="demo-1",
                data=sign_in_sheet(
                    title=log.venue_name, when=held_on, people=log.attendees_total, seed=number
                ),
                enqueue=False,
            )
            services.session_photo_process(photo_id=photo.pk)
        if not pending and coordinator is not None:
            services.session_log_review(
                log=log, reviewer=coordinator, decision=Status.APPROVED, note=""
            )
    # The demo volunteer's plans: one coming, one whose date passed without a log.
    for user, home in volunteers:
        if user.username != "volunteer":
            continue
        for shift in (4, -4):
            venue_type, pattern = spec.venues[0]
            services.planned_session_create(
                by=user,
                volunteer=user,
                data=services.PlanInput(
                    campaign_id=campaign.pk,
                    county_code=home,
                    planned_on=today + timedelta(days=shift),
                    venue_type=venue_type,
                    venue_name=pattern.format(town=rnd.choice(TOWNS)),
                    expected_audience=60,
                ),
            )
    return campaign


def demo_seed() -> list[str]:
    """seed_demo's part (core/demo.py): needs the regions and the demo accounts."""
    campaign_demo_seed()
    return []
