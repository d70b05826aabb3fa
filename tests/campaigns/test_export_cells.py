"""Exports read as a spreadsheet user expects: headers and words in the language of whoever
asked (also when a worker builds the file later), numbers as numbers, dates as dates."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.exports import export_build
from campaigns.models import Export, Status
from tests.campaigns.factories import SessionLogFactory, coordinator_of

pytestmark = pytest.mark.django_db


def approved(campaign, county, people):
    return SessionLogFactory(
        campaign=campaign,
        county=county,
        status=Status.APPROVED,
        attendees_elderly=people,
        attendees_total=people,
        held_on=timezone.localdate() - timedelta(days=1),
    )


def test_the_sessions_xlsx_has_real_dates_and_numbers(client, campaign, regions):
    log = approved(campaign, regions["leishan"], 27425)
    client.force_login(coordinator_of(campaign))

    answer = client.get(f"/campaigns/{campaign.pk}/export/sessions.xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    header, row = (list(r) for r in sheet.iter_rows(values_only=True, max_row=2))
    assert header[:2] == ["编号", "日期"]
    assert isinstance(row[1], datetime) and row[1].date() == log.held_on
    assert row[header.index("参加人数")] == 27425  # a number, not the text "27,425"


def test_the_sessions_csv_keeps_the_iso_date_a_spreadsheet_reads(client, campaign, regions):
    log = approved(campaign, regions["leishan"], 12)
    client.force_login(coordinator_of(campaign))

    answer = client.get(f"/campaigns/{campaign.pk}/export/sessions.csv")

    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert rows[1][1] == log.held_on.isoformat()


@pytest.mark.parametrize(
    ("language", "first"),
    [("en", ["county code", "county"]), ("zh-hans", ["县（区）代码", "县（区）"])],
)
def test_a_file_built_later_by_a_worker_speaks_the_requesters_language(
    campaign, regions, language, first
):
    approved(campaign, regions["leishan"], 30)
    coordinator = coordinator_of(campaign)
    coordinator.language = language
    coordinator.save(update_fields=["language"])
    export = Export.objects.create(campaign=campaign, kind="counties_csv", requested_by=coordinator)

    export_build(export_id=export.pk)

    export.refresh_from_db()
    with export.file.open("rb") as stored:
        rows = list(csv.reader(io.StringIO(stored.read().decode("utf-8-sig"))))
    assert rows[0][:2] == first
    reached = next(r for r in rows[1:] if r[0] == regions["leishan"].code)
    assert reached[4:6] == ["1", "30"]
    assert reached[6] == ("yes" if language == "en" else "是")
