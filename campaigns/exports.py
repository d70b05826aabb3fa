"""CSV and XLSX exports of a campaign's sessions and county figures, in constant memory.

Rows are read from the database in chunks (``QuerySet.iterator``) and written out as they
come: CSV straight into the HTTP response, XLSX through XlsxWriter's ``constant_memory``
mode into a temporary file (the zip container is only complete at the end), which is then
streamed or, for large campaigns, built by Celery and kept in the default storage.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from regions.models import Region

from .models import AUDIENCE_LABELS, AUDIENCES, Campaign, Export, SessionLog, Status
from .selectors import export_session_rows

CHUNK = 2000


def _session_header() -> list[str]:
    return [
        _("id"),
        _("date"),
        _("province"),
        _("prefecture"),
        _("county code"),
        _("county"),
        _("venue type"),
        _("venue name"),
        *(str(AUDIENCE_LABELS[a]) for a in AUDIENCES),
        _("attendees"),
        _("topics"),
        _("volunteer"),
        _("status"),
        _("number of photos"),
        _("flags"),
    ]


def in_area(area: Region | None, prefix: str = "") -> Q:
    """Counties inside ``area`` (a province, prefecture or county; None: everywhere), as a
    filter on the county reached through ``prefix``."""
    if area is None:
        return Q()
    return (
        Q(**{f"{prefix}code": area.code})
        | Q(**{f"{prefix}parent_id": area.code})
        | Q(**{f"{prefix}parent__parent_id": area.code})
    )


def session_rows(campaign: Campaign, area: Region | None = None) -> Iterator[list[Any]]:
    provinces: dict[str, str] = {}
    logs = export_session_rows(campaign=campaign).filter(in_area(area, "county__"))
    for log in logs.iterator(chunk_size=CHUNK):
        county = log.county
        parent = county.parent
        if parent is not None and parent.level == "prefecture" and parent.parent_id:
            if parent.parent_id not in provinces:
                provinces[parent.parent_id] = str(parent.parent)
            province, prefecture = provinces[parent.parent_id], parent.name
        else:
            province, prefecture = (parent.name if parent else ""), ""
        yield [
            log.pk,
            log.held_on.isoformat(),
            province,
            prefecture,
            county.code,
            county.name,
            log.get_venue_type_display(),
            log.venue_name,
            log.attendees_elderly,
            log.attendees_students,
            log.attendees_farmers,
            log.attendees_women,
            log.attendees_other,
            log.attendees_total,
            log.topics,
            log.volunteer.shown_name,
            log.get_status_display(),
            log.photo_count,  # type: ignore[attr-defined]  # annotated by the selector
            " ".join(log.flags),
        ]


def _county_header() -> list[str]:
    return [
        _("county code"),
        _("county"),
        _("prefecture"),
        _("province"),
        _("approved sessions"),
        _("people reached"),
        _("reached"),
    ]


def county_rows(campaign: Campaign, area: Region | None = None) -> Iterator[list[Any]]:
    """One row per target county (inside ``area``): approved sessions and people. Two
    queries."""
    figures: dict[str, Any] = {
        row["county_id"]: row
        for row in SessionLog.objects.filter(campaign=campaign, status=Status.APPROVED)
        .filter(in_area(area, "county__"))
        .values("county_id")
        .annotate(sessions=Count("id"), people=Sum("attendees_total"))
    }
    counties = (
        campaign.target_counties.filter(in_area(area))
        .select_related("parent__parent")
        .order_by("code")
    )
    for county in counties.iterator(chunk_size=CHUNK):
        parent = county.parent
        if parent is not None and parent.level == "prefecture":
            prefecture, province = parent.name, (parent.parent.name if parent.parent else "")
        else:
            prefecture, province = "", (parent.name if parent else "")
        row: dict[str, Any] = figures.get(county.code, {})
        sessions = row.get("sessions", 0)
        yield [
            county.code,
            county.name,
            prefecture,
            province,
            sessions,
            row.get("people") or 0,
            _("yes") if sessions else _("no"),
        ]


STREAMERS = {
    "sessions.csv": (_session_header, session_rows),
    "sessions.xlsx": (_session_header, session_rows),
    "counties.csv": (_county_header, county_rows),
    "counties.xlsx": (_county_header, county_rows),
}


class _Echo:
    def write(self, value: str) -> str:
        return value


# A cell a spreadsheet program would run as a formula (OWASP "CSV injection"): text typed by a
# volunteer such as "=HYPERLINK(...)" or "@SUM(...)" must open as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Any) -> Any:
    """A text cell that would start a formula, prefixed with ' (shown as typed, never run);
    numbers and dates stay what they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """CSV lines as UTF-8 bytes, with a BOM so spreadsheet programs read Chinese right; text
    that would start a formula is neutralised."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow(header).encode()
    for row in rows:
        yield writer.writerow([_inert(cell) for cell in row]).encode()


def xlsx_write(target: Any, header: list[str], rows: Iterable[list[Any]], title: str) -> int:
    """Write an XLSX workbook row by row (constant memory), every text cell as a string.
    Returns the number of rows."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "tmpdir": tempfile.gettempdir(),
            "in_memory": False,
            # Text is written as text: "=..." never becomes a formula, nor "http..." a link.
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(title[:31] or "sheet")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count, 0, row)
    workbook.close()
    return count


def _filename(campaign: Campaign, kind: str, area: Region | None = None) -> str:
    stem, extension = kind.split(".")
    where = f"-{area.code}" if area is not None else ""
    return f"campaign-{campaign.pk}{where}-{stem}-{timezone.localdate():%Y%m%d}.{extension}"


def stream_response(
    *, campaign: Campaign, kind: str, area: Region | None = None
) -> StreamingHttpResponse | FileResponse:
    """The export as a download: all of the campaign, or only ``area``'s counties."""
    header_of, rows_of = STREAMERS[kind]
    name = _filename(campaign, kind, area)
    if kind.endswith(".csv"):
        response = StreamingHttpResponse(
            csv_chunks(header_of(), rows_of(campaign, area)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    xlsx_write(spool, header_of(), rows_of(campaign, area), kind.split(".")[0])
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@transaction.atomic
def export_request(*, campaign: Campaign, kind: str, by: User | None) -> Export:
    """Queue a file export of a campaign, built by Celery into the private storage."""
    from .tasks import export_build_task

    export = Export.objects.create(campaign=campaign, kind=kind.replace(".", "_"), requested_by=by)
    transaction.on_commit(lambda: export_build_task.delay(export.pk))
    return export


def export_build(*, export_id: int) -> Export | None:
    """Build the file of an export. Safe to run twice: a finished export is left alone."""
    export = Export.objects.select_related("campaign").filter(pk=export_id).first()
    if export is None or export.done_at is not None:
        return export
    kind = export.kind.replace("_", ".")
    header_of, rows_of = STREAMERS[kind]
    with tempfile.TemporaryFile() as spool:
        if kind.endswith(".csv"):
            rows = 0
            for rows, chunk in enumerate(csv_chunks(header_of(), rows_of(export.campaign))):  # noqa: B007
                spool.write(chunk)
        else:
            rows = xlsx_write(spool, header_of(), rows_of(export.campaign), kind.split(".")[0])
        spool.seek(0)
        name = export.file.storage.save(
            f"campaigns/exports/{_filename(export.campaign, kind)}", File(spool)
        )
    export.file.name, export.rows, export.done_at = name, rows, timezone.now()
    export.save(update_fields=["file", "rows", "done_at"])
    return export


def weeks_chart(
    weeks: list[tuple[date, int, int]], *, width: int = 640, height: int = 180
) -> dict[str, Any]:
    """Bars of sessions per week, as numbers for a server-rendered SVG (no script)."""
    if not weeks:
        return {"bars": [], "width": width, "height": height}
    top = max(sessions for _week, sessions, _people in weeks) or 1
    slot = width / len(weeks)
    bars = []
    for index, (week, sessions, people) in enumerate(weeks):
        h = round((height - 30) * sessions / top, 1)
        bars.append(
            {
                "x": round(index * slot + slot * 0.1, 1),
                "y": round(height - 20 - h, 1),
                "w": round(slot * 0.8, 1),
                "h": h,
                "week": week,
                "sessions": sessions,
                "people": people,
                "label": index % max(1, len(weeks) // 6) == 0,
            }
        )
    return {"bars": bars, "width": width, "height": height, "top": top}
