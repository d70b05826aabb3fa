"""The zh-hant catalogue, written from zh_Hans at build time (``make messages``, or
``manage.py messages_hant`` in a release).

Each zh_Hans entry is converted (:func:`core.hant.convert`: OpenCC s2twp and the reviewed
phrases), then whole-entry overrides from ``locale/zh_Hant/overrides.toml`` replace what a
phrase cannot fix. The result is build output, not committed: a branch that adds zh_Hans
strings gets their zh-hant for free, and nobody hand-edits a file that is rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polib

from .hant import Overrides, convert, overrides_read

LOCALE = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("django", "djangojs")
HEADER = (
    "Traditional Chinese (zh-hant) catalogue of the Anquan education platform.\n"
    "GENERATED from locale/zh_Hans by `make messages` (core/hant_catalogue.py): do not edit.\n"
    "Corrections go in locale/zh_Hant/overrides.toml."
)


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    messages: int = 0
    overridden: int = 0
    # Overrides whose msgid no catalogue has any more (a test fails on them).
    stale: list[str] = field(default_factory=list)


def _converted(source: polib.POFile, overrides: Overrides) -> tuple[polib.POFile, int]:
    by_key = {(o.msgctxt, o.msgid): o.msgstr for o in overrides.messages}
    out = polib.POFile(wrapwidth=source.wrapwidth)
    out.header = HEADER
    out.metadata = {**source.metadata, "Language": "zh_Hant", "Language-Team": "generated"}
    overridden = 0
    for entry in source:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        entry_out = polib.POEntry(
            msgid=entry.msgid,
            msgctxt=entry.msgctxt,
            msgid_plural=entry.msgid_plural,
            occurrences=entry.occurrences,
            flags=list(entry.flags),
            msgstr=convert(entry.msgstr, overrides),
            msgstr_plural={n: convert(s, overrides) for n, s in entry.msgstr_plural.items()},
        )
        override = by_key.get((entry.msgctxt, entry.msgid))
        if override is not None:
            overridden += 1
            if entry.msgid_plural:
                entry_out.msgstr_plural = dict.fromkeys(entry.msgstr_plural, override)
            else:
                entry_out.msgstr = override
        out.append(entry_out)
    return out, overridden


def catalogue_hant_build(
    *, locale: Path = LOCALE, target: Path | None = None, overrides: Overrides | None = None
) -> BuildResult:
    """Write ``<target>/zh_Hant/LC_MESSAGES/<domain>.po`` for every zh_Hans domain there is.
    Deterministic: the same inputs give the same bytes (make rebuilds only on change)."""
    overrides = overrides or overrides_read(locale / "zh_Hant" / "overrides.toml")
    target = target or locale
    result = BuildResult()
    seen: set[tuple[str | None, str]] = set()
    for domain in DOMAINS:
        source_path = locale / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        if not source_path.is_file():
            continue
        source = polib.pofile(str(source_path))
        seen |= {(e.msgctxt, e.msgid) for e in source if not e.obsolete}
        converted, overridden = _converted(source, overrides)
        path = target / "zh_Hant" / "LC_MESSAGES" / f"{domain}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        converted.save(str(path))
        result.written.append(path)
        result.messages += len(converted)
        result.overridden += overridden
    result.stale = [o.msgid for o in overrides.messages if (o.msgctxt, o.msgid) not in seen]
    return result
