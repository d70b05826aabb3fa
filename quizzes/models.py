"""Question bank, learners' quiz attempts, and transfer checks for payment risk systems.

A question is one row per language: the zh-hans and en versions of one ``key`` are two rows
that the admin shows together. zh-hant readers see an editor's zh-hant row of the key where
there is one, else the zh-hans row converted as it is shown (``selectors.question_for_reader``).
Scam types and audiences are data (editors add new ones); their
codes are part of the public contract and never change.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.hant import in_language

LANGUAGE_CHOICES = settings.LANGUAGES


class NamedCode(models.Model):
    """A code from the contract with a name in both languages."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.name_in()} ({self.code})"

    def name_in(self, language: str | None = None) -> str:
        language = (language or get_language() or "zh-hans").lower()
        return (
            self.name_en if language.startswith("en") else in_language(self.name_zh_hans, language)
        )

    @property
    def name(self) -> str:
        return self.name_in()


class ScamType(NamedCode):
    class Meta(NamedCode.Meta):
        verbose_name = _("scam type")
        verbose_name_plural = _("scam types")


class Audience(NamedCode):
    class Meta(NamedCode.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SCENARIO = "scenario", _("Scenario")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("Stable identifier shared by the language versions of one question."),
    )
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    scam_type = models.ForeignKey(
        ScamType, verbose_name=_("scam type"), on_delete=models.PROTECT, related_name="questions"
    )
    audiences = models.ManyToManyField(Audience, verbose_name=_("audiences"), blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("question"))
    scenario = models.TextField(_("scenario"), blank=True)
    image = models.ImageField(_("image"), upload_to="quizzes/questions/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=300, blank=True)
    explanation = models.TextField(_("explanation"), help_text=_("Shown after answering."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="question_key_language")
        ]
        indexes = [models.Index(fields=["status", "language", "scam_type"])]

    def __str__(self) -> str:
        return f"{self.key} [{self.language}]"

    @property
    def allows_several(self) -> bool:
        return self.kind == self.Kind.MULTIPLE

    def translations(self) -> models.QuerySet[Question]:
        return Question.objects.filter(key=self.key).exclude(pk=self.pk)


class Option(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text


class Quiz(models.Model):
    """A learner's quiz: a fixed set of questions, or a rule drawing them at random."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    scam_type = models.ForeignKey(
        ScamType,
        verbose_name=_("scam type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Rule: draw from this scam type; empty for a mix of all types."),
    )
    audience = models.ForeignKey(
        Audience, verbose_name=_("audience"), null=True, blank=True, on_delete=models.PROTECT
    )
    question_count = models.PositiveSmallIntegerField(
        _("number of questions"), default=5, validators=[MinValueValidator(1)]
    )
    fixed_keys = models.JSONField(
        _("fixed question keys"),
        default=list,
        blank=True,
        help_text=_("A fixed set: these question keys in this order (overrides the rule)."),
    )
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title_in()

    def title_in(self, language: str | None = None) -> str:
        language = (language or get_language() or "zh-hans").lower()
        if language.startswith("en"):
            return self.title_en
        return in_language(self.title_zh_hans, language)

    @property
    def title(self) -> str:
        return self.title_in()


class Attempt(models.Model):
    """One learner's pass through a quiz: the questions drawn, the option order shown, the
    answers and the score. Anonymous learners keep theirs through the session."""

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("user"),
    )
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("quiz")
    )
    scam_type = models.ForeignKey(
        ScamType, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("scam type")
    )
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    # [{"q": question id, "o": [option ids in the order shown]}]
    items = models.JSONField(_("questions and option order shown"), default=list)
    # {"<question id>": [chosen option ids]}
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.quiz} {self.score}/{self.total}"

    @property
    def total(self) -> int:
        return len(self.items)


# --- Transfer checks ------------------------------------------------------------------------


class Scope(models.TextChoices):
    CHECKS_CREATE = "checks:create", "checks:create"
    CHECKS_READ = "checks:read", "checks:read"
    CHECKS_RESOLVE = "checks:resolve", "checks:resolve"


class ApiClient(models.Model):
    """A payment platform's risk system. Its API key is stored as a SHA-256 hash (the key has
    256 bits of entropy, so a slow hash adds nothing) and found by its public prefix."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    # Where the hosted quiz's end screens send the user back to the app: a create call's
    # return_url must be one of these, exactly (registered with create_api_client).
    return_urls = models.JSONField(_("return URLs"), default=list, blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=100)
    # During a rotation both secrets sign, so receivers can switch at their own pace.
    previous_webhook_secret = models.CharField(
        _("previous webhook secret"), max_length=100, blank=True
    )
    webhook_disabled_at = models.DateTimeField(_("webhooks disabled at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    protected_funds_ceiling = models.DecimalField(
        _("protected-funds ceiling (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Checks above this amount are left out of protected funds until staff confirm "
            "them. Empty: the platform's ceiling."
        ),
    )
    # Set through reach.services.api_client_figures_exclude (audited, rebuilds the figures).
    figures_excluded_at = models.DateTimeField(
        _("left out of the figures since"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        permissions = [("view_transfer_check_figures", _("Can see transfer-check figures"))]

    def __str__(self) -> str:
        return self.name

    # DRF treats the authenticated principal like a user.
    @property
    def is_authenticated(self) -> bool:
        return True

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def amount_ceiling(self) -> Decimal:
        """The CNY amount above which this client's checks wait for staff to confirm."""
        if self.protected_funds_ceiling is not None:
            return self.protected_funds_ceiling
        return Decimal(settings.PROTECTED_FUNDS_CEILING_CNY)

    def webhook_secrets(self) -> list[str]:
        return [s for s in (self.webhook_secret, self.previous_webhook_secret) if s]


class IdempotencyKey(models.Model):
    """The stored answer to a create call, kept for ``IDEMPOTENCY_KEY_TTL`` seconds.

    ``response_status`` is null while the first request is still being processed; a request
    with the same key meanwhile is a concurrent duplicate."""

    # Indexed by the unique constraint below (client first); no index of its own.
    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, db_index=False, verbose_name=_("API client")
    )
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key")
        ]

    def __str__(self) -> str:
        return self.key


class TransferCheck(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_PROGRESS = "in_progress", _("In progress")
        HEEDED = "heeded", _("Heeded")
        PROCEEDED = "proceeded", _("Proceeded")
        ABANDONED = "abandoned", _("Abandoned")
        EXPIRED = "expired", _("Expired")

    class Resolution(models.TextChoices):
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        REPORTED_FRAUD = "reported_fraud", _("Reported as fraud")

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        FROM_18_TO_34 = "18_34", _("18 to 34")
        FROM_35_TO_59 = "35_59", _("35 to 59")
        SIXTY_PLUS = "60_plus", _("60 and over")

    class Channel(models.TextChoices):
        APP = "app", _("App")
        WEB = "web", _("Web")
        MINI_PROGRAM = "mini_program", _("Mini program")
        OTHER = "other", _("Other")

    class PayeeType(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        MERCHANT = "merchant", _("Merchant")
        UNKNOWN = "unknown", _("Unknown")

    FINAL = (Status.HEEDED, Status.PROCEEDED, Status.ABANDONED, Status.EXPIRED)

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    # Few indexes on purpose: every one is paid on the create call's hot path. Checks are
    # read by primary key (the client filter rides along), figures scan by date.
    client = models.ForeignKey(
        ApiClient,
        on_delete=models.PROTECT,
        related_name="checks",
        db_index=False,
        verbose_name=_("API client"),
    )
    subject_ref = models.CharField(_("subject reference"), max_length=64)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    locale = models.CharField(
        _("language"), max_length=10, choices=LANGUAGE_CHOICES, default="zh-hans"
    )
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    payee_type = models.CharField(
        _("payee type"), max_length=10, choices=PayeeType.choices, blank=True
    )
    risk_score = models.DecimalField(
        _("risk score"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    scam_types = models.JSONField(_("suspected scam types"), default=list, blank=True)
    reasons = models.JSONField(_("risk reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    # One of the client's registered return URLs, or empty (the end screens then only say
    # to go back to the app).
    return_url = models.CharField(_("return URL"), max_length=500, blank=True, default="")
    # Chosen when the quiz is first opened: [{"q": question id, "o": [option ids shown]}]
    items = models.JSONField(_("questions and option order shown"), default=list, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Above the client's ceiling when created: out of protected funds until confirmed.
    amount_flagged = models.BooleanField(_("amount above the ceiling"), default=False)
    amount_confirmed_at = models.DateTimeField(_("amount confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer check")
        verbose_name_plural = _("transfer checks")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def amount_decimal(self) -> Decimal:
        return Decimal(self.amount)


class WebhookEvent(models.Model):
    """Transactional outbox: written in the same transaction as the change it announces;
    delivery (Celery) reads it, so no event is lost when the broker is down."""

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="events", verbose_name=_("API client")
    )
    check_ref = models.ForeignKey(
        TransferCheck,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("transfer check"),
    )
    event_type = models.CharField(_("event type"), max_length=60)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("gave up at"), null=True, blank=True)
    # Lease of the attempt in progress: no other worker sends the event before it runs out.
    sending_until = models.DateTimeField(_("sending until"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_event_due",
                condition=models.Q(delivered_at__isnull=True, gave_up_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.message_id

    @property
    def message_id(self) -> str:
        return f"msg_{self.id.hex}"
