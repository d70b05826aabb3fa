"""Traditional Chinese (``zh-hant``) made from the Simplified original, with no second
authoring pass.

OpenCC converts with its ``s2twp`` configuration: Taiwan's standard characters *and* Taiwan
phrasing (软件 → 軟體, 短信 → 簡訊, 登录 → 登入, 用户 → 使用者). It is the one OpenCC
configuration that converts phrases, not only characters; ``s2hk`` keeps mainland words in
Traditional characters (軟件, 信息), which reads as Simplified text in disguise to a Taiwan
reader and is still understood in Hong Kong. Its mistakes for this product are corrected by
the reviewed ``[phrases]`` of ``locale/zh_Hant/overrides.toml``.

Two users: the catalogue build (:mod:`core.hant_catalogue`, run by ``make messages``) and
content at run time (:func:`to_traditional`, cached by content hash in Django's cache, so a
lesson is converted once, not on every request, and an edited lesson gets a new key).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import opencc
from django.core.cache import cache as django_cache

TRADITIONAL = "zh-hant"
OPENCC_CONFIG = "s2twp"
OVERRIDES = Path(__file__).resolve().parent.parent / "locale" / "zh_Hant" / "overrides.toml"
# Content-addressed entries never go stale; the timeout only lets unused ones go.
CACHE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class MessageOverride:
    msgid: str
    msgstr: str
    msgctxt: str | None = None


@dataclass(frozen=True)
class Overrides:
    phrases: tuple[tuple[str, str], ...]
    messages: tuple[MessageOverride, ...]
    digest: str


def overrides_read(path: Path = OVERRIDES) -> Overrides:
    """The reviewed corrections; a missing file is no correction at all."""
    raw = path.read_bytes() if path.is_file() else b""
    data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    phrases = tuple((str(k), str(v)) for k, v in (data.get("phrases") or {}).items())
    messages = tuple(
        MessageOverride(
            msgid=str(entry["msgid"]),
            msgstr=str(entry["msgstr"]),
            msgctxt=str(entry["msgctxt"]) if "msgctxt" in entry else None,
        )
        for entry in data.get("message") or []
    )
    return Overrides(phrases=phrases, messages=messages, digest=hashlib.sha256(raw).hexdigest())


@cache
def _overrides() -> Overrides:
    return overrides_read()


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC(OPENCC_CONFIG)


@cache
def _simplifier() -> opencc.OpenCC:
    # The way back, Taiwan phrasing included (軟體 → 软件), for searching Simplified text.
    return opencc.OpenCC("tw2sp")


def is_traditional(language: str | None) -> bool:
    return (language or "").lower() == TRADITIONAL


def convert(text: str, overrides: Overrides | None = None) -> str:
    """The Traditional text: OpenCC, then the reviewed phrase corrections. Not cached."""
    if not text or text.isascii():
        return text
    converted = str(_converter().convert(text))
    for wrong, right in (overrides or _overrides()).phrases:
        converted = converted.replace(wrong, right)
    return converted


def to_simplified(text: str) -> str:
    """Simplified Chinese for ``text`` (a search word typed in Traditional characters)."""
    if not text or text.isascii():
        return text
    return str(_simplifier().convert(text))


def cache_key(text: str) -> str:
    """Changes with the text, the OpenCC version and configuration, and the corrections."""
    basis = f"{opencc.__version__}|{OPENCC_CONFIG}|{_overrides().digest}|{text}"
    return "hant:" + hashlib.sha256(basis.encode()).hexdigest()


def to_traditional(text: str) -> str:
    """``text`` in Traditional Chinese, from Django's cache when it was converted before."""
    if not text or text.isascii():
        return text
    key = cache_key(text)
    found = django_cache.get(key)
    if isinstance(found, str):
        return found
    converted = convert(text)
    django_cache.set(key, converted, CACHE_SECONDS)
    return converted


def in_language(text: str, language: str | None) -> str:
    """Simplified ``text`` as a reader of ``language`` reads it: converted for zh-hant."""
    return to_traditional(text) if is_traditional(language) else text
