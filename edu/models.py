"""Courses → modules → lessons, learners' progress and certificates.

Bilingual text lives in paired columns (``title_zh`` beside ``title_en``) so an editor sees
and edits both languages on one form; :meth:`Localized.text` picks the reader's language and
falls back to Simplified Chinese, the original, when a translation is missing. Traditional
Chinese (zh-hant) needs no second authoring pass: it is the Simplified text converted
(``core.hant``, cached), unless an editor wrote a Traditional version in ``<name>_zh_hant``,
which wins.

Progress points at lessons, which keep their identity (course + slug) across edits, new
versions and package re-imports; a lesson that disappears from a course is *retired*, never
deleted, so nobody's progress is lost.

Editors change a published course through a *working copy*: a second, unpublished Course row
(``draft_of`` → the live course) with copies of its modules and lessons, each copy pointing at
the row it came from (``origin``). Learners never see the copy; staff preview it; publishing
writes it back onto the live rows (matched by ``origin``, else by slug) in one transaction, so
progress rows keep pointing at the same lessons. See ``edu.services.course_publish``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.hant import is_traditional, to_traditional
from core.storage import private_storage

ORIGINAL_LANGUAGE = "zh-hans"
HANT_HELP = _("Leave empty to show the Chinese text converted to Traditional characters.")


class Topic(models.TextChoices):
    ANTI_FRAUD = "anti_fraud", _("Anti-fraud")
    BORROWING_CREDIT = "borrowing_credit", _("Rational borrowing and credit")
    BUDGETING = "budgeting", _("The three pots of money")
    INSURANCE = "insurance", _("Insurance basics")
    PERSONAL_INFO = "personal_info", _("Personal-information protection")
    PENSION_ELDERLY = "pension_elderly", _("Pensions and the elderly")


# Audiences and scam types are the question bank's vocabulary (quizzes.ScamType,
# quizzes.Audience: data editors can extend); courses store their codes.


class Localized(models.Model):
    """Reads a paired ``<name>_zh`` / ``<name>_en`` column in the reader's language; for
    zh-hant the editor's ``<name>_zh_hant`` if there is one, else ``<name>_zh`` converted."""

    class Meta:
        abstract = True

    def text(self, name: str, language: str | None) -> str:
        if is_traditional(language):
            own = str(getattr(self, f"{name}_zh_hant", "") or "")
            return own or to_traditional(str(getattr(self, f"{name}_zh")))
        if language and not language.startswith("zh"):
            value = str(getattr(self, f"{name}_en", "") or "")
            if value:
                return value
        return str(getattr(self, f"{name}_zh"))


class Course(Localized):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    audiences = models.JSONField(
        _("audiences"),
        default=list,
        blank=True,
        help_text=_("Codes: elderly, students, rural, general."),
    )
    scam_types = models.JSONField(
        _("scam types"),
        default=list,
        blank=True,
        help_text=_("Scam-type codes this course teaches."),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    title_zh_hant = models.CharField(
        _("title (Traditional Chinese)"), max_length=200, blank=True, help_text=HANT_HELP
    )
    summary_zh_hant = models.TextField(
        _("summary (Traditional Chinese)"), blank=True, help_text=HANT_HELP
    )
    position = models.PositiveIntegerField(_("position in the catalogue"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("Raised by one each time the course is published.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Fingerprint of the last imported package: re-importing the same content is a no-op.
    package_digest = models.CharField(
        _("package digest"), max_length=64, blank=True, editable=False
    )
    # Set on a working copy only: the published course whose pending changes this row holds.
    draft_of = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="working_copy",
        verbose_name=_("unpublished changes of"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [("revoke_certificate", _("Can revoke certificates"))]

    def __str__(self) -> str:
        if self.draft_of_id:
            return _("%(title)s (unpublished changes)") % {"title": self.title_zh}
        return self.title_zh

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_working_copy(self) -> bool:
        return self.draft_of_id is not None

    @property
    def is_live(self) -> bool:
        """Published and not a working copy: learners see it, so editors edit a copy."""
        return self.is_published and self.draft_of_id is None


class Module(Localized):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(
        _("title (Traditional Chinese)"), max_length=200, blank=True, help_text=HANT_HELP
    )
    # In a working copy: the live module this one was copied from (empty: a new module).
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("published original"),
    )

    class Meta:
        ordering = ["course", "position", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return self.title_zh


class Lesson(Localized):
    # Denormalised from the module so a lesson's slug is unique per course and progress
    # queries need no join.
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("course")
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("module")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    slug = models.SlugField(_("slug"), max_length=80)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_zh = models.TextField(_("text (Chinese, Markdown)"))
    body_en = models.TextField(_("text (English, Markdown)"), blank=True)
    title_zh_hant = models.CharField(
        _("title (Traditional Chinese)"), max_length=200, blank=True, help_text=HANT_HELP
    )
    body_zh_hant = models.TextField(
        _("text (Traditional Chinese, Markdown)"), blank=True, help_text=HANT_HELP
    )
    minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=5)
    video_url = models.URLField(_("video link"), blank=True)
    audio = models.FileField(_("audio"), upload_to="edu/audio/", blank=True)
    check_scam_types = models.JSONField(
        _("knowledge check: scam types"),
        default=list,
        blank=True,
        help_text=_("Leave empty for a lesson without a knowledge check."),
    )
    check_question_count = models.PositiveSmallIntegerField(
        _("knowledge check: questions"), default=3
    )
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("No longer part of the course; kept so learners' progress is not lost."),
    )
    # In a working copy: the live lesson this one was copied from (empty: a new lesson).
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("published original"),
    )

    class Meta:
        ordering = ["course", "module__position", "position", "id"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="edu_lesson_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title_zh

    def save(self, *args: object, **kwargs: object) -> None:
        if self.module_id and not self.course_id:
            self.course_id = self.module.course_id
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def has_check(self) -> bool:
        return bool(self.check_scam_types)


class LessonImage(Localized):
    """An image shown with a lesson, served in responsive sizes made with Pillow."""

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="images", verbose_name=_("lesson")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    image = models.ImageField(_("image"), upload_to="edu/images/original/")
    alt_zh = models.CharField(_("description (Chinese)"), max_length=300)
    alt_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    alt_zh_hant = models.CharField(
        _("description (Traditional Chinese)"), max_length=300, blank=True, help_text=HANT_HELP
    )
    # {"480": "edu/images/…-480.webp", …}; filled by lesson_image_renditions_make.
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)

    class Meta:
        ordering = ["lesson", "position", "id"]
        verbose_name = _("lesson image")
        verbose_name_plural = _("lesson images")

    def __str__(self) -> str:
        return self.alt_zh

    @property
    def srcset(self) -> str:
        from django.core.files.storage import default_storage

        sizes = sorted(self.renditions.items(), key=lambda item: int(item[0]))
        return ", ".join(f"{default_storage.url(name)} {width}w" for width, name in sizes)

    @property
    def src(self) -> str:
        """The smallest rendition for browsers without srcset; the original before any."""
        from django.core.files.storage import default_storage

        if self.renditions:
            smallest = min(self.renditions, key=int)
            return default_storage.url(self.renditions[smallest])
        return self.image.url


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("user"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("course")
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    last_lesson = models.ForeignKey(
        Lesson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last lesson"),
    )
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_version = models.PositiveIntegerField(_("completed version"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="edu_one_enrollment")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.course}"


class LessonProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_progress",
        verbose_name=_("user"),
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="progress", verbose_name=_("lesson")
    )
    completed_at = models.DateTimeField(_("completed at"))
    # When the row reached us: a guest's progress merged later arrives with an earlier
    # completed_at, and reach statistics read new rows by this column.
    recorded_at = models.DateTimeField(
        _("recorded at"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="edu_one_progress")]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson}"


class OfflineCompletion(models.Model):
    """A lesson finished on a phone without signal, as it reached us: one row per client UUID,
    so a queue that sends it again (a reload, a lost answer) changes nothing the second time.
    ``outcome`` says what came of it; the progress itself is a LessonProgress row."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("completed")
        CHECK_FAILED = "check_failed", _("knowledge check not passed")
        CHECK_UNSEEN = "check_unseen", _("knowledge check not answered")

    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_completions"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(_("finished on the phone at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("lesson finished offline")
        verbose_name_plural = _("lessons finished offline")

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson} · {self.outcome}"


class Certificate(models.Model):
    serial = models.CharField(_("serial"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("user"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("course")
    )
    course_version = models.PositiveIntegerField(_("course version"))
    # What the certificate shows, fixed at issue time.
    learner_name = models.CharField(_("learner's name"), max_length=100)
    course_title_zh = models.CharField(_("course title (Chinese)"), max_length=200)
    course_title_en = models.CharField(_("course title (English)"), max_length=200, blank=True)
    course_title_zh_hant = models.CharField(
        _("course title (Traditional Chinese)"), max_length=200, blank=True
    )
    # The learner's language when it was issued: a zh-hant learner's certificate is drawn in
    # Traditional characters.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=ORIGINAL_LANGUAGE
    )
    issued_at = models.DateTimeField(_("issued at"))
    # Private: no public URL; served by edu.views.certificate_file to the owner and staff.
    png = models.FileField(
        _("image (PNG)"), upload_to="edu/certificates/", storage=private_storage, blank=True
    )
    pdf = models.FileField(
        _("document (PDF)"), upload_to="edu/certificates/", storage=private_storage, blank=True
    )
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="edu_one_certificate")
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def course_title(self, language: str | None) -> str:
        if is_traditional(language):
            return self.course_title_zh_hant or to_traditional(self.course_title_zh)
        if language and not language.startswith("zh") and self.course_title_en:
            return self.course_title_en
        return self.course_title_zh
