"""Addresses (slugs) made from titles: Chinese in toneless pinyin, one syllable a word.

``识破冒充公检法`` becomes ``shi-po-mao-chong-gong-jian-fa``; Latin letters and digits are kept,
everything else goes. Used for courses and lessons (edu), in the admin and in services."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.text import slugify
from pypinyin import lazy_pinyin


def pinyin_slug(title: str, *, max_length: int = 80) -> str:
    """The ASCII slug of ``title``, at most ``max_length`` long and cut between words; empty
    if the title has no Chinese character, letter or digit."""
    slug = slugify("-".join(lazy_pinyin(title)))
    if len(slug) > max_length:
        slug = slug[: max_length + 1]
        slug = slug[: slug.rfind("-")] if "-" in slug else slug[:max_length]
    return slug.strip("-")


def slug_unique(
    base: str, *, taken: Callable[[str], bool], fallback: str, max_length: int = 80
) -> str:
    """``base`` (or ``fallback`` when empty) if ``taken`` says it is free, else the first of
    ``base-2``, ``base-3``, ... that is."""
    base = base or fallback
    candidate, number = base, 1
    while taken(candidate):
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate
