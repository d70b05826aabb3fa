"""Audit actions come from one enumeration: no call writes a free-form string, every
member is written somewhere, and the rows written before the enumeration were renamed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.audit import AuditAction
from core.services import audit_log_record

ROOT = Path(__file__).resolve().parents[2]
APPS = [a for a in settings.INSTALLED_APPS if "." not in a and (ROOT / a / "apps.py").exists()]


def _app_modules() -> list[Path]:
    return [
        p for app in APPS for p in sorted((ROOT / app).rglob("*.py")) if "migrations" not in p.parts
    ]


def _audit_calls() -> list[tuple[Path, ast.Call]]:
    calls = []
    for path in _app_modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "audit_log_record":
                calls.append((path, node))
    return calls


def test_a_plain_string_is_refused_as_an_audit_action(db):
    with pytest.raises(TypeError):
        audit_log_record(actor=None, action="campaign.created")  # type: ignore[arg-type]


def test_no_call_names_its_audit_action_with_a_string():
    # Given every call of audit_log_record in our apps
    calls = _audit_calls()

    # When their action arguments are read
    strings = []
    for path, call in calls:
        action = next(k.value for k in call.keywords if k.arg == "action")
        for node in ast.walk(action):
            if isinstance(node, ast.JoinedStr) or (
                isinstance(node, ast.Constant) and isinstance(node.value, str)
            ):
                strings.append(f"{path.relative_to(ROOT)}:{call.lineno}")

    # Then none is spelled out as a string: each names an AuditAction member
    assert len(calls) > 10
    assert strings == []


def test_every_audit_action_is_written_somewhere():
    source = "\n".join(
        p.read_text("utf-8") for p in _app_modules() if p != ROOT / "core" / "audit.py"
    )

    unused = [a.name for a in AuditAction if f"AuditAction.{a.name}" not in source]

    assert unused == []


def test_every_action_value_is_an_entity_and_a_past_tense_verb():
    bad = [a.value for a in AuditAction if a.value.count(".") != 1 or not a.value.endswith("ed")]

    assert bad == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_renames_old_actions_and_moves_before_and_after():
    # Given the audit log as it was before the enumeration, with rows of the old names
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0003_jobrun_from_reach")])
    old = executor.loader.project_state([("core", "0003_jobrun_from_reach")]).apps
    OldLog = old.get_model("core", "AuditLog")
    OldLog.objects.create(action="role.assigned", data={"role": "editor"})
    OldLog.objects.create(action="campaigns.plan_create", data={"volunteer": 1})
    OldLog.objects.create(
        action="campaign.goals_update",
        data={"before": {"sessions": 1, "people": 2}, "after": {"sessions": 3, "people": 4}},
    )
    OldLog.objects.create(action="session_log.rejected", data={"before": "submitted", "note": "x"})
    OldLog.objects.create(action="course.published", data={"version": 2})

    # When the migrations run forward
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Then every row carries an AuditAction value, the figures in before and after
    from core.models import AuditLog

    rows = {e.action: e for e in AuditLog.objects.all()}
    assert set(rows) == {
        AuditAction.ROLE_GRANTED,
        AuditAction.PLAN_CREATED,
        AuditAction.CAMPAIGN_GOALS_CHANGED,
        AuditAction.SESSION_LOG_REJECTED,
        AuditAction.COURSE_PUBLISHED,
    }
    goals = rows[AuditAction.CAMPAIGN_GOALS_CHANGED]
    assert (goals.before, goals.after, goals.data) == (
        {"sessions": 1, "people": 2},
        {"sessions": 3, "people": 4},
        {},
    )
    review = rows[AuditAction.SESSION_LOG_REJECTED]
    assert (review.before, review.after) == ({"status": "submitted"}, {"status": "rejected"})
    assert review.data == {"note": "x"}
    assert rows[AuditAction.ROLE_GRANTED].data == {"role": "editor"}


def test_the_admin_lists_actions_by_their_label_and_filters_by_action(db, client):
    from core.models import AuditLog
    from tests.factories import UserFactory

    # Given two entries of different actions
    staff = UserFactory(roles=[], is_superuser=True, is_staff=True)
    client.force_login(staff)
    audit_log_record(actor=staff, action=AuditAction.ROLE_GRANTED, target=staff)
    audit_log_record(actor=staff, action=AuditAction.EXPORT_DOWNLOADED, target=staff)

    # When staff filter the audit log by one action
    page = client.get(
        "/admin/core/auditlog/?action=role.granted", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    # Then that entry shows with its label, the other not, and the filter offers every action
    assert AuditLog.objects.count() == 2
    assert f'<td class="field-action_label">{AuditAction.ROLE_GRANTED.label}' in page
    assert f'<td class="field-action_label">{AuditAction.EXPORT_DOWNLOADED.label}' not in page
    assert "?action=export.downloaded" in page
