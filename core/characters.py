"""Finding a character one cannot type: candidates by pinyin (or by code point) for the
rare-character picker on name fields.

Readings come from pypinyin's table (Unihan's Mandarin readings, about 42,000 characters,
Extensions A–H included) plus ``data/readings-supplement.tsv``, a short reviewed list of
readings for name characters that table lacks (𠮷 jí). Only characters an installed font can
draw are offered (core.fonts): a name must be printable on its certificate.

The index (toneless syllable → code points with their tones) is built on first use, once per
process, in about a tenth of a second.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core import fonts

SUPPLEMENT = Path(__file__).with_name("data") / "readings-supplement.tsv"
_TONE_MARKS = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}
_CODE_POINT = re.compile(r"^(?:u\+|U\+|\\u)?([0-9a-fA-F]{4,5})$")
_SYLLABLE = re.compile(r"^([a-zü:]+?)([1-5])?$")
# Where a character sits in Unicode, for telling the reader which block a candidate is in.
BLOCKS = [
    (0x4E00, 0x9FFF, "URO"),
    (0x3400, 0x4DBF, "A"),
    (0x20000, 0x2A6DF, "B"),
    (0x2A700, 0x2B73F, "C"),
    (0x2B740, 0x2B81F, "D"),
    (0x2B820, 0x2CEAF, "E"),
    (0x2CEB0, 0x2EBEF, "F"),
    (0x2EBF0, 0x2EE5F, "I"),
    (0x30000, 0x3134F, "G"),
    (0x31350, 0x323AF, "H"),
    (0xF900, 0xFAFF, "CI"),
    (0x2F800, 0x2FA1F, "CIS"),
]


def block_of(code: int) -> str | None:
    for low, high, name in BLOCKS:
        if low <= code <= high:
            return name
    return None


@dataclass(frozen=True)
class Candidate:
    char: str
    readings: tuple[str, ...]

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def block(self) -> str | None:
        return block_of(ord(self.char))

    @property
    def hex(self) -> str:
        """The code point as the glyph image's URL spells it: "20bb7"."""
        return f"{ord(self.char):04x}"

    @property
    def rare(self) -> bool:
        """Outside the basic block: most input methods cannot type it."""
        return self.block != "URO"


def split_tone(reading: str) -> tuple[str, int]:
    """ "zhé" → ("zhe", 2); "lǚ" → ("lv", 3); a reading without a mark has tone 5 (neutral)."""
    tone = 5
    letters: list[str] = []
    for part in unicodedata.normalize("NFD", reading.lower()):
        if part in _TONE_MARKS:
            tone = _TONE_MARKS[part]
        elif part == "\u0308":  # the dots of ü
            letters[-1] = "v"
        elif not unicodedata.combining(part):
            letters.append(part)
    return "".join(letters), tone


def _supplement() -> dict[int, tuple[str, ...]]:
    table: dict[int, tuple[str, ...]] = {}
    for line in SUPPLEMENT.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code_text, readings_text, *_note = line.split("\t")
        code = int(code_text.removeprefix("U+"), 16)
        table[code] = tuple(r.strip() for r in readings_text.split(",") if r.strip())
    return table


@cache
def _name_characters() -> frozenset[int]:
    """The supplement's characters: reviewed because they turn up in names, so offered first."""
    return frozenset(_supplement())


@cache
def _readings() -> dict[int, tuple[str, ...]]:
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[int, tuple[str, ...]] = {
        code: tuple(r for r in readings.split(",") if r) for code, readings in pinyin_dict.items()
    }
    for code, extra in _supplement().items():
        table[code] = tuple(dict.fromkeys(table.get(code, ()) + extra))
    return table


@cache
def _index() -> dict[str, list[tuple[int, int]]]:
    index: dict[str, list[tuple[int, int]]] = {}
    for code, readings in _readings().items():
        if block_of(code) is None:
            continue
        for reading in readings:
            syllable, tone = split_tone(reading)
            index.setdefault(syllable, []).append((code, tone))
    return index


def _drawable(code: int) -> bool:
    return not fonts.font_chain() or fonts.font_for(chr(code)) is not None


def _order(code: int) -> tuple[int, int]:
    # Known name characters first, then the rare ones (what the picker is for), then the
    # basic block that input methods type anyway; by code point within each.
    if code in _name_characters():
        return (0, code)
    return (1 if block_of(code) != "URO" else 2, code)


def candidates(query: str) -> list[Candidate]:
    """Characters matching a pinyin syllable ("ji", "ji2", "jí", "lv", "lü") or a code point
    ("U+20BB7", "20bb7"), that a font can draw, rare ones first. Unknown queries: []."""
    text = query.strip()
    by_code = _CODE_POINT.match(text)
    if by_code:
        code = int(by_code.group(1), 16)
        if block_of(code) and _drawable(code):
            return [Candidate(chr(code), _readings().get(code, ()))]
        return []
    syllable, tone = split_tone(text.replace(" ", ""))
    match = _SYLLABLE.match(syllable.replace("u:", "v").replace("ü", "v"))
    if not match:
        return []
    letters, digit = match.group(1), match.group(2)
    wanted_tone = int(digit) if digit else (tone if tone != 5 else None)
    codes = sorted(
        {
            code
            for code, code_tone in _index().get(letters, [])
            if wanted_tone is None or code_tone == wanted_tone
        },
        key=_order,
    )
    return [Candidate(chr(code), _readings()[code]) for code in codes if _drawable(code)]


GLYPH_SIZE = 96


def glyph_png(code_text: str) -> bytes | None:
    """The character at hex code point code_text drawn in ink on transparent ground by the
    font core.fonts picks for it, GLYPH_SIZE pixels square; None unless it is a CJK
    ideograph some installed font has."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    if not re.fullmatch(r"[0-9a-f]{4,5}", code_text):
        return None
    code = int(code_text, 16)
    font = fonts.font_for(chr(code)) if block_of(code) else None
    if font is None:
        return None
    face = ImageFont.truetype(font.path, int(GLYPH_SIZE * 0.86), index=font.index)
    image = Image.new("LA", (GLYPH_SIZE, GLYPH_SIZE), (0, 0))
    draw = ImageDraw.Draw(image)
    centre = GLYPH_SIZE / 2
    draw.text((centre, centre), chr(code), font=face, fill=(28, 255), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
