"""Reads of the quizzes app: drawing questions, reading checks and figures."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from core.hant import TRADITIONAL, is_traditional, to_traditional

from .models import ApiClient, Audience, Option, Question, ScamType, TransferCheck

# The bank's original language: zh-hant readers are served its questions converted.
ORIGINAL_LANGUAGE = "zh-hans"

MIXED_PER_TYPE = 1  # a "sensible general mix": at most one question per scam type first


def published_questions(*, language: str) -> QuerySet[Question]:
    """The published questions a reader of ``language`` is asked. For zh-hant: an editor's
    zh-hant row of a key where there is one, else the key's zh-hans row (converted when it
    is shown, see :func:`question_for_reader`): one row per key either way."""
    published = Question.objects.filter(status=Question.Status.PUBLISHED)
    if not is_traditional(language):
        return published.filter(language=language)
    own = published.filter(language=TRADITIONAL).values("key")
    return published.filter(
        Q(language=TRADITIONAL) | (Q(language=ORIGINAL_LANGUAGE) & ~Q(key__in=own))
    )


def question_for_reader(
    question: Question, options: Sequence[Option], *, language: str | None
) -> None:
    """Show a zh-hans question to a zh-hant reader in Traditional characters: its texts are
    replaced on these in-memory rows by their conversions (cached by content, see core.hant).
    For display only: the rows must not be saved afterwards. Other readers, and questions an
    editor wrote in zh-hant, are left as they are."""
    if not is_traditional(language) or question.language != ORIGINAL_LANGUAGE:
        return
    for name in ("text", "scenario", "explanation", "image_alt"):
        setattr(question, name, to_traditional(getattr(question, name)))
    for option in options:
        option.text = to_traditional(option.text)


def questions_with_options(ids: Sequence[int]) -> list[Question]:
    """The questions with these ids, in this order, options prefetched (two queries)."""
    by_id = {
        q.id: q
        for q in Question.objects.filter(id__in=ids)
        .select_related("scam_type")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position", "id")))
    }
    return [by_id[i] for i in ids if i in by_id]


def question_with_options(
    question_id: int, *, language: str | None = None
) -> tuple[Question, list[Option]] | None:
    """One question and its options in their order, in one query (a quiz screen), as a
    reader of ``language`` reads them (zh-hans converted for zh-hant)."""
    options = list(
        Option.objects.filter(question_id=question_id)
        .select_related("question")
        .order_by("position", "id")
    )
    if not options:
        return None
    question_for_reader(options[0].question, options, language=language)
    return options[0].question, options


@dataclass(frozen=True)
class OptionScreen:
    id: int
    text: str
    is_correct: bool


@dataclass(frozen=True)
class QuestionScreen:
    """A question as the hosted quiz shows it: plain data, so it can be kept beside the check
    in the cache for the check's life (one draw, then no query per screen)."""

    id: int
    kind: str
    text: str
    scenario: str
    explanation: str
    image_url: str
    image_alt: str
    options: tuple[OptionScreen, ...]

    @property
    def allows_several(self) -> bool:
        return self.kind == Question.Kind.MULTIPLE


def question_screens(
    question_ids: Iterable[int], *, language: str | None = None
) -> dict[int, QuestionScreen]:
    """Each question with its options in their order, in ONE query (options joined to their
    question), as a reader of ``language`` reads them (zh-hans converted for zh-hant, see
    question_for_reader). A question without options is left out."""
    found: dict[int, tuple[Question, list[Option]]] = {}
    options = (
        Option.objects.filter(question_id__in=list(question_ids))
        .select_related("question")
        .order_by("question_id", "position", "id")
    )
    for option in options:
        found.setdefault(option.question_id, (option.question, []))[1].append(option)
    rows: dict[int, tuple[Question, list[OptionScreen]]] = {}
    for question_id, (question, shown) in found.items():
        question_for_reader(question, shown, language=language)
        rows[question_id] = (
            question,
            [OptionScreen(o.id, o.text, o.is_correct) for o in shown],
        )
    return {
        question_id: QuestionScreen(
            id=question.id,
            kind=question.kind,
            text=question.text,
            scenario=question.scenario,
            explanation=question.explanation,
            image_url=question.image.url if question.image else "",
            image_alt=question.image_alt,
            options=tuple(shown),
        )
        for question_id, (question, shown) in rows.items()
    }


def option_ids_by_question(question_ids: Sequence[int]) -> dict[int, tuple[str, list[int]]]:
    """Each question's kind and option ids in their order, in one query."""
    out: dict[int, tuple[str, list[int]]] = {}
    rows = (
        Option.objects.filter(question_id__in=question_ids)
        .order_by("question_id", "position", "id")
        .values_list("question_id", "question__kind", "id")
    )
    for question_id, kind, option_id in rows:
        out.setdefault(question_id, (kind, []))[1].append(option_id)
    return out


def question_candidates(
    *, scam_types: Iterable[str], audience: str | None, language: str
) -> list[tuple[int, int, int]]:
    """(id, scam type id, fits the audience) of every published question a draw may take:
    of the given scam types (all types when empty), in a stable order (the database's is
    not, and a seeded draw must not depend on it)."""
    types = list(scam_types)
    rows = published_questions(language=language)
    if types:
        rows = rows.filter(scam_type__code__in=types)
    return sorted(
        rows.annotate(
            fits=Count(
                "audiences", filter=Q(audiences__code__in=[audience or "general", "general"])
            )
        ).values_list("id", "scam_type_id", "fits")
    )


def question_ids_pick(
    candidates: Sequence[tuple[int, int, int]],
    *,
    by_type: bool,
    count: int,
    rng: random.Random | None = None,
) -> list[int]:
    """Up to ``count`` of the candidates at random, the audience's own and general questions
    first; with ``by_type``, one per scam type before any repeat."""
    rng = rng or random.SystemRandom()
    shuffled = list(candidates)
    rng.shuffle(shuffled)
    shuffled.sort(key=lambda row: 0 if row[2] else 1)
    if not by_type:
        return [row[0] for row in shuffled[:count]]
    chosen: list[int] = []
    seen_types: set[int] = set()
    for row in shuffled:
        if row[1] not in seen_types:
            chosen.append(row[0])
            seen_types.add(row[1])
        if len(chosen) == count:
            return chosen
    rest = [row[0] for row in shuffled if row[0] not in chosen]
    return chosen + rest[: count - len(chosen)]


def question_ids_draw(
    *,
    scam_types: Iterable[str],
    audience: str | None,
    language: str,
    count: int,
    rng: random.Random | None = None,
) -> list[int]:
    """Ids of up to ``count`` published questions at random: of the given scam types (all
    types, spread evenly, when empty), preferring the audience's own and general questions."""
    types = list(scam_types)
    candidates = question_candidates(scam_types=types, audience=audience, language=language)
    return question_ids_pick(candidates, by_type=not types, count=count, rng=rng)


def questions_for_knowledge_check(
    *, scam_types: list[str], audience: str | None, language: str, count: int
) -> list[Question]:
    """Hook for ``edu``'s lesson-end checks: ``count`` published questions (fewer if the bank
    has fewer) of these scam types in ``language``, options prefetched, in random order."""
    return questions_with_options(
        question_ids_draw(scam_types=scam_types, audience=audience, language=language, count=count)
    )


def scam_types_all() -> QuerySet[ScamType]:
    return ScamType.objects.all()


def scam_type_choices() -> list[tuple[str, str]]:
    """(code, name in the active language) of every scam type, for forms and filters. The
    codes are data editors can extend; other apps (edu) take them from here."""
    return [(s.code, s.name) for s in ScamType.objects.all()]


def audience_choices() -> list[tuple[str, str]]:
    """(code, name in the active language) of every audience, as for scam types."""
    return [(a.code, a.name) for a in Audience.objects.all()]


def api_client_by_prefix(prefix: str) -> ApiClient | None:
    return ApiClient.objects.filter(key_prefix=prefix, is_active=True).first()


def transfer_check_for_client(*, client: ApiClient, check_id: str) -> TransferCheck | None:
    """A check visible to this client only: another client's check is as good as missing."""
    try:
        uuid.UUID(str(check_id))
    except ValueError:
        return None
    return TransferCheck.objects.filter(client=client, pk=check_id).first()


def api_clients_all() -> QuerySet[ApiClient]:
    return ApiClient.objects.order_by("name")


def transfer_checks_amount_waiting(*, limit: int = 50) -> list[TransferCheck]:
    """Checks whose amount is above their client's ceiling and not yet confirmed by staff,
    newest first (they count in protected funds only once confirmed)."""
    return list(
        TransferCheck.objects.filter(amount_flagged=True, amount_confirmed_at__isnull=True)
        .select_related("client")
        .order_by("-created_at")[:limit]
    )
