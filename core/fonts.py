"""Which installed font draws which character: a chain of fonts, chosen per character.

Certificates must draw a learner's name exactly, whatever characters it holds. No single font
covers the CJK Unified Ideographs and their extensions, so certificates fall back through a
chain: Noto Sans CJK SC first (the platform's look), then BabelStone Han (Extensions A–H in
part), then HanaMin A and B (most of Extensions B–F). Each character goes to the first font
whose character map (cmap) holds it, read with fontTools, never guessed from a drawn bitmap
(a font's "missing glyph" box has ink too).

The same chain decides at input whether a name can be drawn at all: a name no installed font
can draw is refused when it is typed, never stored to become boxes on a certificate later.

Reading a large font's cmap takes a second or two, so each font's coverage is kept as a
short list of code point ranges, in this process and in the shared cache (keyed by the
file's size and modification time), and fonts further down the chain are read only when an
earlier one lacks a character.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as shared_cache

# The primary font: Noto Sans CJK SC, found through fontconfig (any install layout), else at
# Debian's paths. EDU_CERTIFICATE_FONT overrides it with "path[:index]".
PRIMARY_QUERY = "Noto Sans CJK SC:charset=20bb7"
PRIMARY_KNOWN = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:2",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc:2",
]
# Fallbacks in order, from Debian's fonts-babelstone-han and fonts-hanazono (installed by
# scripts/system-deps.sh). CERTIFICATE_FALLBACK_FONTS replaces the list when set.
FALLBACK_KNOWN = [
    "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
]

# Characters that need no glyph of their own: spaces, and variation selectors, which pick a
# form of the character before them (fonts without the sequence draw the base character).
_VARIATION_SELECTORS = [(0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x180B, 0x180D)]


def needs_no_glyph(char: str) -> bool:
    code = ord(char)
    if any(low <= code <= high for low, high in _VARIATION_SELECTORS):
        return True
    return unicodedata.category(char) in {"Zs", "Cc", "Cf"} or char.isspace()


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0

    @classmethod
    def parse(cls, spec: str) -> FontFile:
        path, _, index = spec.partition(":")
        return cls(path=path, index=int(index or 0))


@dataclass
class Coverage:
    """The code points one font maps, as sorted, non-overlapping [start, end] ranges."""

    font: FontFile
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def __contains__(self, char: str) -> bool:
        code = ord(char)
        at = bisect.bisect_right(self.starts, code) - 1
        return at >= 0 and code <= self.ends[at]


def _ranges(codes: Iterable[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


def _read_cmap(font: FontFile) -> list[tuple[int, int]]:
    from fontTools.ttLib import TTFont

    with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
        cmap = face.getBestCmap() or {}
    return _ranges(cmap)


@cache
def coverage(font: FontFile) -> Coverage:
    stat = Path(font.path).stat()
    key = f"fonts:cmap:v1:{font.path}:{font.index}:{stat.st_size}:{int(stat.st_mtime)}"
    ranges = shared_cache.get(key)
    if ranges is None:
        ranges = _read_cmap(font)
        shared_cache.set(key, ranges, None)
    return Coverage(font, [r[0] for r in ranges], [r[1] for r in ranges])


def _usable(spec: str) -> FontFile | None:
    if not spec:
        return None
    font = FontFile.parse(spec)
    return font if Path(font.path).is_file() else None


def _fontconfig_primary() -> str:
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return ""
    return subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [fc_match, "-f", "%{file}:%{index}", PRIMARY_QUERY],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    ).stdout.strip()


def _primary() -> FontFile | None:
    configured = getattr(settings, "EDU_CERTIFICATE_FONT", "")
    candidates = [configured] if configured else [_fontconfig_primary(), *PRIMARY_KNOWN]
    for spec in candidates:
        font = _usable(spec)
        if font is not None and "\U00020bb7" in coverage(font):  # 𠮷: a CJK font, not Latin
            return font
    return None


@cache
def font_chain() -> tuple[FontFile, ...]:
    """The installed fonts, in the order characters are looked up; empty if none is found."""
    primary = _primary()
    configured = getattr(settings, "CERTIFICATE_FALLBACK_FONTS", None)
    fallbacks = [f for f in (_usable(s) for s in (configured or FALLBACK_KNOWN)) if f]
    chain = [primary] if primary else []
    return tuple(chain + [f for f in fallbacks if f not in chain])


def font_for(char: str) -> FontFile | None:
    """The first font of the chain that maps this character, or None."""
    for font in font_chain():
        if char in coverage(font):
            return font
    return None


def undrawable(text: str) -> list[str]:
    """The distinct characters of text that no installed font can draw, in order of appearance."""
    missing: list[str] = []
    for char in text:
        if char not in missing and not needs_no_glyph(char) and font_for(char) is None:
            missing.append(char)
    return missing


def font_runs(text: str) -> list[tuple[FontFile, str]]:
    """text cut into runs that one font draws, in order; characters needing no glyph join the
    run before them (variation selectors are dropped: the base character is drawn as is)."""
    chain = font_chain()
    runs: list[tuple[FontFile, str]] = []
    for char in text:
        if needs_no_glyph(char):
            if not char.isspace():
                continue
            font = runs[-1][0] if runs else chain[0]
        else:
            font = font_for(char) or chain[0]
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def validate_drawable(value: str) -> None:
    """Refuse text holding a character no installed font can draw (a name on a certificate).

    With no CJK font installed at all, nothing is refused here: that is the operator's problem
    (the deploy check core.E030 says so), not the learner's.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not font_chain():
        return
    missing = undrawable(value)
    if missing:
        raise ValidationError(
            _(
                "We cannot print %(chars)s on a certificate yet: no font we have draws it. "
                "Please check the character, or write it as it is usually written."
            ),
            code="undrawable",
            params={"chars": "、".join(f"“{c}”" for c in missing[:5])},
        )
