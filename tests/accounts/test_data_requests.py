"""A person's own data: a copy of everything we hold (JSON file and readable page), and the
erasure of the account, which leaves the figures as they were (PIPL arts. 45, 47)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from accounts.consents import consent_set
from accounts.data_requests import account_erase, personal_data_sources
from accounts.models import Consent, Purpose, User
from campaigns.models import Export, SessionLog
from core.audit import AuditAction
from core.models import AuditLog
from core.storage import private_storage
from edu.models import Certificate, Enrollment, LessonProgress
from notifications.models import Notification, Preference, Reminder, SmsOutbox
from quizzes.models import Attempt
from reach.services import reach_rebuild
from tests.admin_forms import change_form_data
from tests.factories import UserFactory
from tests.reach.factories import World, snapshot

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42"  # tests.factories.UserFactory's


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def world():
    world = World(seed=11)
    world.generate(40)
    return world


def give_a_life(user: User, world: World) -> Certificate:
    """Everything a learner leaves behind: details, a number, reminders, answers, a
    certificate with its files, consents."""
    user.display_name, user.email = "王秀英", "xiuying@example.cn"
    user.save()
    consent_set(user=user, purpose=Purpose.NOTICE, given=True, source="test")
    consent_set(user=user, purpose=Purpose.WEEKLY_SUMMARY, given=True, source="test")
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"phone": "13800138000", "sms": True}
    )
    reminder = Reminder.objects.create(key=f"nudge:{user.pk}", user=user, kind="course_nudge")
    SmsOutbox.objects.create(reminder=reminder, phone=preference.phone, body="继续学习")
    SmsOutbox.objects.create(phone=preference.phone, body="您的登录验证码")
    Notification.objects.create(user=user, title="证书已就绪", body="恭喜")
    Attempt.objects.create(user=user, language="zh-hans", items=[{"q": 1, "o": [2, 3]}],
                           answers={"1": [2]}, score=1)  # fmt: skip
    course = world.lessons[0].course
    Enrollment.objects.get_or_create(user=user, course=course)
    LessonProgress.objects.get_or_create(
        user=user, lesson=world.lessons[0], defaults={"completed_at": timezone.now()}
    )
    certificate, _ = Certificate.objects.get_or_create(
        user=user,
        course=course,
        defaults={
            "serial": f"AQ-{uuid.uuid4().hex[:10].upper()}",
            "course_version": 1,
            "learner_name": "王秀英",
            "course_title_zh": course.title_zh,
            "issued_at": timezone.now(),
        },
    )
    certificate.learner_name = "王秀英"
    certificate.serial = certificate.serial.upper()
    certificate.png.save("cert.png", ContentFile(b"png"), save=False)
    certificate.pdf.save("cert.pdf", ContentFile(b"pdf"), save=False)
    certificate.rendered_at = timezone.now()
    certificate.save()
    return certificate


def test_a_learner_downloads_everything_we_hold_as_json_and_reads_it_on_a_page(client, world):
    learner = world.learners[0]
    certificate = give_a_life(learner, world)
    client.force_login(learner)

    download = client.get("/accounts/me/data.json")
    page = client.get("/accounts/me/data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert "no-store" in download["Cache-Control"]
    data = json.loads(download.content)
    assert data["profile"]["name"] == "王秀英"
    assert data["profile"]["email"] == "xiuying@example.cn"
    assert data["reminders"]["choices"]["mobile_number"] == "13800138000"
    assert data["reminders"]["reminders"][0]["kind"] == "course_nudge"
    assert data["reminders"]["notifications"][0]["title"] == "证书已就绪"
    assert data["quizzes"][0]["answers"] == {"1": [2]}
    assert certificate.serial in [c["serial"] for c in data["learning"]["certificates"]]
    assert data["learning"]["lessons_completed"]
    assert {c["purpose"] for c in data["consents"]} == {"notice", "weekly_summary"}
    for shown in ("王秀英", "13800138000", certificate.serial, "Your quiz answers",
                  "Your consents", "Mobile number"):  # fmt: skip
        assert shown in page, shown
    assert 'href="/accounts/me/data/"' in client.get("/accounts/me/").content.decode()
    assert 'href="/accounts/me/data.json"' in page


def test_deleting_an_account_erases_the_person_and_leaves_the_figures_as_they_were(
    world, django_capture_on_commit_callbacks
):
    # Given a learner with a full life here, and the figures built
    learner = world.learners[0]
    certificate = give_a_life(learner, world)
    files = [certificate.png.name, certificate.pdf.name]
    username = learner.username
    assert all(private_storage().exists(name) for name in files)
    reach_rebuild()
    before = snapshot()

    # When they delete their account on its page, with their password
    client = Client()
    client.force_login(learner)
    wrong = client.post("/accounts/me/delete/", {"password": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "That is not your password." in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/accounts/me/delete/", {"password": PASSWORD}, follow=True)

    # Then the person is gone: details, rows, files, sign-in
    assert answer.redirect_chain[-1][0] == "/"
    learner.refresh_from_db()
    assert learner.erased_at is not None and not learner.is_active
    assert (learner.display_name, learner.email, learner.first_name) == ("", "", "")
    assert learner.username.startswith("deleted-") and not learner.has_usable_password()
    assert str(learner) == "Deleted account" or str(learner) == "已注销的账户"
    for model in (Preference, Reminder, Notification, Attempt, Consent):
        assert not model.objects.filter(user=learner).exists(), model
    assert not SmsOutbox.objects.filter(phone="13800138000").exists()
    certificate.refresh_from_db()
    assert (certificate.learner_name, certificate.png.name, certificate.pdf.name) == ("", "", "")
    assert not any(private_storage().exists(name) for name in files)
    sign_in = Client().post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert sign_in.status_code == 200  # the form again, not a redirect into the account
    assert client.get("/accounts/me/").status_code == 302  # signed out
    # its certificate check page names no one
    check = Client().get(f"/certificates/{certificate.serial}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "王秀英" not in check.content.decode()
    assert "its holder has deleted their account" in check.content.decode()

    # and the figures, incremental and rebuilt, are what they were
    assert snapshot() == before
    reach_rebuild()
    assert snapshot() == before

    # and the audit row says it happened, without anything personal
    audit = AuditLog.objects.get(action=AuditAction.USER_ERASED)
    assert audit.target_id == str(learner.pk)
    recorded = json.dumps([audit.data, audit.before, audit.after], ensure_ascii=False)
    for personal in ("王秀英", "xiuying", "13800138000", "example.cn"):
        assert personal not in recorded
    assert audit.data["counts"]["quizzes"]["quiz_attempts"] == 1


def test_a_second_deletion_is_a_clear_no_op(world):
    learner = world.learners[1]

    first = account_erase(user=learner)
    second = account_erase(user=learner)

    assert first.erased is True and second.erased is False and second.counts == {}
    assert AuditLog.objects.filter(action=AuditAction.USER_ERASED).count() == 1


def test_a_volunteer_who_leaves_keeps_the_programmes_logs_without_their_name(
    world, django_capture_on_commit_callbacks
):
    # Given a volunteer's approved logs, one with GPS, and an export that names them
    volunteer = world.volunteer
    volunteer.display_name = "李蓝马甲"
    volunteer.save()
    logs = list(SessionLog.objects.filter(volunteer=volunteer).order_by("id"))
    SessionLog.objects.filter(pk=logs[0].pk).update(
        gps_consent=True, latitude=Decimal("26.1"), longitude=Decimal("108.1")
    )
    export = Export.objects.create(campaign=logs[0].campaign, kind=Export.Kind.SESSIONS_CSV)
    export.file.save("sessions.csv", ContentFile("李蓝马甲,20\n".encode()))
    reach_rebuild()
    before = snapshot()

    # When they delete their account
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=volunteer)

    # Then every log stays, counted as before, and none of them names the volunteer
    kept = SessionLog.objects.filter(pk__in=[log.pk for log in logs]).select_related("volunteer")
    assert kept.count() == len(logs)
    assert {str(log.volunteer) for log in kept} <= {"Deleted account", "已注销的账户"}
    assert not kept.filter(latitude__isnull=False).exists()
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not private_storage().exists(export.file.name)
    reach_rebuild()
    assert snapshot() == before


def test_every_model_that_points_at_a_person_is_handled_by_a_data_source():
    # A new model with a foreign key to the user must be exported and erased, or say here
    # why not.
    kept_on_purpose = {
        "core.AuditLog": "who did what stays, pointing at the anonymous account",
        "campaigns.SessionLog": "the programme's records, without the name (field_work)",
        "campaigns.Export": "requested_by only; the files go (field_work)",
        "campaigns.PlannedSession": "planned_by of a coordinator: set null on deletion",
    }
    handled = {name for source in personal_data_sources() for name in source.models}
    ours = {"core", "accounts", "regions", "quizzes", "edu", "campaigns", "reach",
            "notifications"}  # fmt: skip
    pointing = set()
    for model in apps.get_models():
        if model._meta.app_label not in ours:
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if (
                field.is_relation
                and related is not None
                and related._meta.label == settings.AUTH_USER_MODEL
                and field.concrete
            ):
                pointing.add(model._meta.label)
    missing = pointing - handled - set(kept_on_purpose)
    assert not missing, f"no personal-data source handles {sorted(missing)}"


def test_an_erased_account_cannot_be_given_back_in_the_admin(admin_client, world):
    learner = world.learners[2]
    account_erase(user=learner)

    page = admin_client.get(f"/admin/accounts/user/{learner.pk}/change/")
    answer = admin_client.post(f"/admin/accounts/user/{learner.pk}/change/", {"is_active": "on"})

    assert page.status_code in (200, 403)
    assert answer.status_code == 403
    learner.refresh_from_db()
    assert not learner.is_active


def test_erasure_leaves_nothing_personal_in_the_logs(world, caplog):
    learner = world.learners[3]
    learner.display_name = "赵大爷"
    learner.save()

    with caplog.at_level("DEBUG"):
        account_erase(user=learner)

    assert "赵大爷" not in caplog.text and "user" + str(learner.pk) not in caplog.text


def test_the_copy_costs_the_same_queries_for_one_row_or_many(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.data_requests import personal_data_export

    volunteer = world.volunteer  # the world's volunteer has logged every session
    assert SessionLog.objects.filter(volunteer=volunteer).count() > 5
    with CaptureQueriesContext(connection) as many:
        personal_data_export(user=volunteer)
    fresh = User.objects.create(username="newcomer")
    SessionLog.objects.filter(pk=SessionLog.objects.first().pk).update(volunteer=fresh)
    with django_assert_num_queries(len(many.captured_queries)):
        personal_data_export(user=fresh)


def test_an_erased_account_is_planned_no_new_reminder(world):
    from campaigns.models import Status
    from notifications.services import reminders_plan

    # Given a learner with an idle course and a fresh certificate, and a rejected log
    learner = world.learners[4]
    give_a_life(learner, world)
    Enrollment.objects.filter(user=learner).update(last_seen_at=timezone.now() - timedelta(days=10))
    SessionLog.objects.filter(volunteer=world.volunteer).update(
        status=Status.REJECTED, reviewed_at=timezone.now()
    )

    # When both accounts are erased and reminders are planned
    account_erase(user=learner)
    account_erase(user=world.volunteer)
    reminders_plan()

    # Then nothing waits for them
    assert not Reminder.objects.filter(user__in=[learner, world.volunteer]).exists()


def test_erasure_takes_the_persons_names_out_of_earlier_audit_rows(client):
    # Given staff who renamed a learner's account in the admin, and a lockout of that account
    # cleared in the admin: both audit rows name the person
    staff = UserFactory(roles=[], is_superuser=True, is_staff=True)
    learner = UserFactory(username="wangxiuying", display_name="王秀英")
    client.force_login(staff)
    url = f"/admin/accounts/user/{learner.pk}/change/"
    answer = client.post(url, change_form_data(client.get(url), username="wangxiuying1956"))
    assert answer.status_code == 302
    attempt = AccessAttempt.objects.create(
        username="wangxiuying1956", ip_address="198.51.100.7", user_agent="test",
        path_info="/accounts/login/", failures_since_start=5, attempt_time=timezone.now(),
    )  # fmt: skip
    client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    rows = AuditLog.objects.exclude(action=AuditAction.USER_ERASED)
    assert "wangxiuying" in json.dumps([[r.data, r.before, r.after] for r in rows])
    assert rows.count() == 2

    # When the learner deletes their account
    learner.refresh_from_db()
    result = account_erase(user=learner)

    # Then the rows stay (who did what, pointing at the anonymous account) without the names
    rows = AuditLog.objects.exclude(action=AuditAction.USER_ERASED)
    assert rows.count() == 2
    text = json.dumps([[r.data, r.before, r.after] for r in rows], ensure_ascii=False)
    assert "wangxiuying" not in text and "王秀英" not in text
    renamed = rows.get(action=AuditAction.USER_CHANGED)
    assert renamed.target_id == str(learner.pk) and renamed.actor == staff
    assert renamed.data["personal_changed"] == ["username"]
    learner.refresh_from_db()
    cleared = rows.get(action=AuditAction.LOCKOUT_CLEARED)
    assert cleared.before["username"] == learner.username  # the anonymous account's
    assert result.counts["profile"]["audit_rows_scrubbed"] == 2
