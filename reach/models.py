"""Summary tables of reach statistics (definitions in docs/reach.md).

One row per (county, day) holds every figure of that cell; a county code of "" holds what
cannot be placed in a county (online learning, transfer checks without a county code).
The parent codes are stored on each row so the roll-ups are one GROUP BY each."""

from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from quizzes.models import TransferCheck

AUDIENCES = ("elderly", "students", "farmers", "women", "other")

# The split of a cell's transfer-check figures by the subject's age band: every band the
# API accepts, and "" for a check whose risk system sent none (or a value it no longer
# accepts). A fixed handful, so each band's figures are columns of the cell's row
# (``ReachDaily``, ``band_column``), not rows of their own: a cell holding a few checks had
# a breakdown row per band, about as many rows as checks to write at each rebuild.
AGE_BANDS: tuple[str, ...] = (*TransferCheck.AgeBand.values, "")
# A band's figures, named as the cell's totals (``checks_shown`` ... ``protected_funds``).
BAND_FIGURES = ("checks_shown", "checks_heeded", "checks_proceeded", "protected_funds")


def band_column(band: str, figure: str) -> str:
    """The column of ``ReachDaily`` holding ``figure`` of the checks of age ``band``."""
    return f"band_{band or 'none'}_{figure.removeprefix('checks_')}"


BAND_COLUMNS = [band_column(band, figure) for band in AGE_BANDS for figure in BAND_FIGURES]


class OfflineFigures(models.Model):
    county_code = models.CharField(_("county"), max_length=6, blank=True)
    prefecture_code = models.CharField(_("prefecture"), max_length=6, blank=True)
    province_code = models.CharField(_("province"), max_length=6, blank=True)
    day = models.DateField(_("day"))
    sessions = models.PositiveIntegerField(_("sessions"), default=0)
    attendees_elderly = models.PositiveIntegerField(_("elderly"), default=0)
    attendees_students = models.PositiveIntegerField(_("students"), default=0)
    attendees_farmers = models.PositiveIntegerField(_("farmers"), default=0)
    attendees_women = models.PositiveIntegerField(_("women"), default=0)
    attendees_other = models.PositiveIntegerField(_("others"), default=0)
    attendees_total = models.PositiveIntegerField(_("attendees"), default=0)

    class Meta:
        abstract = True


class ReachDaily(OfflineFigures):
    """Every figure of one county on one day."""

    learners_active = models.PositiveIntegerField(_("online learners active"), default=0)
    lessons_completed = models.PositiveIntegerField(_("lessons completed"), default=0)
    courses_completed = models.PositiveIntegerField(_("courses completed"), default=0)
    certificates_issued = models.PositiveIntegerField(_("certificates"), default=0)
    checks_shown = models.PositiveIntegerField(_("transfer checks shown"), default=0)
    checks_heeded = models.PositiveIntegerField(_("heeded"), default=0)
    checks_proceeded = models.PositiveIntegerField(_("proceeded"), default=0)
    protected_funds = models.DecimalField(
        _("protected funds"), max_digits=18, decimal_places=2, default=0
    )
    person_times = models.PositiveIntegerField(_("person-times"), default=0)

    class Meta:
        verbose_name = _("reach figures of a county and day")
        verbose_name_plural = _("reach figures by county and day")
        constraints = [
            models.UniqueConstraint(fields=["county_code", "day"], name="reach_one_row_per_cell")
        ]
        indexes = [
            models.Index(fields=["day", "province_code"]),
            models.Index(fields=["day", "prefecture_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.county_code or '-'} {self.day}"


def _band_fields() -> None:
    """The split by age band on ``ReachDaily``: for each band in ``AGE_BANDS``, its checks
    shown, heeded and proceeded and its protected funds (they add up to the cell's)."""
    labels = dict(TransferCheck.AgeBand.choices) | {"": _("Not given")}
    for band in AGE_BANDS:
        for figure in BAND_FIGURES:
            like = ReachDaily._meta.get_field(figure)
            if not isinstance(like, models.Field):  # a relation; the figures are columns
                raise TypeError(figure)
            *_unused, args, kwargs = like.deconstruct()
            kwargs["verbose_name"] = format_lazy("{}: {}", labels[band], like.verbose_name)
            ReachDaily.add_to_class(band_column(band, figure), type(like)(*args, **kwargs))


_band_fields()


class CampaignReachDaily(OfflineFigures):
    """A campaign's approved sessions in one county on one day."""

    # No foreign key in the database, and no index of its own: the rows are figures
    # computed from the campaign's logs (which have the key), deleted with the campaign by
    # Django's cascade, and rewritten whole by a rebuild; without a key the rebuild can
    # build the table anew and put it in place (``reach.services.swap``) instead of
    # inserting its rows one by one through the key's check (0.7 s for 100,000 rows). The
    # unique constraint, campaign first, finds a campaign's rows.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="reach_rows",
        verbose_name=_("campaign"),
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("campaign reach of a county and day")
        verbose_name_plural = _("campaign reach by county and day")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "county_code", "day"], name="reach_campaign_one_row_per_cell"
            )
        ]
        indexes = [models.Index(fields=["county_code", "day"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.county_code} {self.day}"


class CheckBreakdownDaily(models.Model):
    """Transfer-check figures of one county and day split by a suspected scam type: a
    check counts once under each distinct type it names (type "" when it names none), so
    a check suspected of two types is in both rows, and the rows of a cell may add up to
    more than its totals in ``ReachDaily``, which count it once.

    The split by age band, the other ``Dimension`` of the figures, is not stored here but
    in columns of ``ReachDaily`` (``AGE_BANDS``): each check once, under its band."""

    class Dimension(models.TextChoices):
        AGE_BAND = "age_band", _("age band")
        SCAM_TYPE = "scam_type", _("scam type")

    county_code = models.CharField(_("county"), max_length=6, blank=True)
    prefecture_code = models.CharField(_("prefecture"), max_length=6, blank=True)
    province_code = models.CharField(_("province"), max_length=6, blank=True)
    day = models.DateField(_("day"))
    dimension = models.CharField(_("split by"), max_length=10, choices=Dimension.choices)
    code = models.CharField(_("group"), max_length=40, blank=True)
    checks_shown = models.PositiveIntegerField(_("transfer checks shown"), default=0)
    checks_heeded = models.PositiveIntegerField(_("heeded"), default=0)
    checks_proceeded = models.PositiveIntegerField(_("proceeded"), default=0)
    protected_funds = models.DecimalField(
        _("protected funds"), max_digits=18, decimal_places=2, default=0
    )

    # One row per group of a cell, and no other key: as many rows as checks where a cell
    # holds few, and a surrogate id would be one more column and one more index to write
    # for each (a rebuild of 1,000,000 such rows: 0.9 s of its 10). County first: its
    # index also finds the rows of a refresh's counties and days, and a county's rows for
    # the pages, so no other index is needed for those.
    pk = models.CompositePrimaryKey("county_code", "day", "dimension", "code")

    class Meta:
        verbose_name = _("transfer-check figures of a group, county and day")
        verbose_name_plural = _("transfer-check figures by group, county and day")
        # The rows of an area (a province, a prefecture, the country) and days. Day
        # first: the index is built from a sort of all the rows at each rebuild, and one
        # that began with the split (two values) compared it, then the rest, for nearly
        # every pair (1,000,000 rows: 2.0 s against 1.1 s); a read scans the same entries.
        indexes = [
            models.Index(fields=["day", "dimension", "province_code"], name="reach_breakdown_area")
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.code or '-'} {self.county_code or '-'} {self.day}"


class SessionLogCell(models.Model):
    """The cell a session log was last counted in, so a log moved to another county or
    day (an edit in the admin) is taken out of its old cell too."""

    log_id = models.BigIntegerField(_("session log"), primary_key=True)
    county_code = models.CharField(_("county code"), max_length=6)
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("session log cell")
        verbose_name_plural = _("session log cells")

    def __str__(self) -> str:
        return f"{self.log_id} → {self.county_code} {self.day}"


class Watermark(models.Model):
    """How far the incremental refresh has read. Its row is also the refresh's lock."""

    name = models.CharField(_("watermark name"), max_length=40, primary_key=True)
    value = models.DateTimeField(_("read up to"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("watermark")
        verbose_name_plural = _("watermarks")

    def __str__(self) -> str:
        return f"{self.name} {self.value}"
