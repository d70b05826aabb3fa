"""The codes of the transfer-check contract (docs/transfer-checks.md), named in both languages.

They are seeded by a data migration; editors may add more in the admin, never rename these.
"""

from __future__ import annotations

from typing import Any

SCAM_TYPES: list[tuple[str, str, str]] = [
    ("task_rebate", "刷单返利", "Task and side-job rebates"),
    ("fake_investment", "虚假网络投资理财", "Fake online investment"),
    ("fake_loan", "虚假网络贷款", "Fake online loans"),
    ("fake_customer_service", "冒充电商物流客服", "Fake shop or courier support"),
    ("impersonating_police", "冒充公检法", "Fake police, prosecutors or courts"),
    ("fake_credit_record", "虚假征信", "Fake credit-record threats"),
    ("fake_shopping", "虚假购物服务", "Fake shopping and services"),
    ("impersonating_acquaintance", "冒充领导熟人", "Fake boss or acquaintance"),
    ("romance", "网络婚恋交友/杀猪盘", "Romance scams"),
    ("game_trade", "网络游戏产品虚假交易", "Fake game trades"),
]

AUDIENCES: list[tuple[str, str, str]] = [
    ("general", "所有人", "Everyone"),
    ("elderly", "老年人", "Older people"),
    ("students", "学生", "Students"),
    ("rural", "农村居民", "Rural residents"),
]

# The locales a transfer check's subject may be in (and its quiz shown in). Extended, never
# renamed: zh-hant is the Traditional reading of zh-hans (core/hant.py), not a second bank.
LOCALES: list[str] = ["zh-hans", "zh-hant", "en"]

# The audience a transfer check's age band suggests.
AUDIENCE_FOR_AGE_BAND = {
    "under_18": "students",
    "18_34": "general",
    "35_59": "general",
    "60_plus": "elderly",
}


def codes_seed(scam_type_model: Any, audience_model: Any) -> None:
    """Create the contract's codes if missing; keep editors' names if present."""
    for position, (code, zh, en) in enumerate(SCAM_TYPES):
        scam_type_model.objects.get_or_create(
            code=code, defaults={"name_zh_hans": zh, "name_en": en, "position": position}
        )
    for position, (code, zh, en) in enumerate(AUDIENCES):
        audience_model.objects.get_or_create(
            code=code, defaults={"name_zh_hans": zh, "name_en": en, "position": position}
        )
