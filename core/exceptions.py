"""Domain errors: what services raise when a use case is refused.

A service says *what went wrong* by raising a subclass of :class:`DomainError` named for it
(``NotInCampaign``, ``TooManyPhotos``); it never imports DRF and never chooses an HTTP
status. The subclass's ``code`` is the slug of a problem type declared in
:mod:`core.problems`, which turns the error into ``application/problem+json`` for the API
and into a message for pages. Apps declare their subclasses in their services package.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise


class DomainError(Exception):
    """A refused use case. ``code`` (a class attribute) is stable: it is the problem slug.

    ``message`` is a human sentence for this occurrence (default: the problem's title);
    ``extra`` are members added to the problem body (``county="522633"``)."""

    code: ClassVar[str]

    def __init__(self, message: str | Promise | None = None, **extra: Any) -> None:
        super().__init__(str(message) if message else self.code)
        self.message = message
        self.extra = extra


class InvalidInput(DomainError):
    """One input field breaks a rule the service owns; the API answers it as a validation
    error pointing at ``field``, exactly as if a serializer had refused the field."""

    code = "validation-error"

    def __init__(self, field: str, message: str | Promise) -> None:
        super().__init__(message)
        self.field = field


__all__ = ["DomainError", "InvalidInput"]
