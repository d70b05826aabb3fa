"""Hook: the course to recommend after a quiz or a transfer check.

``recommended_course_for(scam_type, language)`` returns ``None`` for now. The ``edu`` app is
wired in here at merge time (do not import ``edu`` anywhere else in this app): it should
return an object with ``title`` and ``get_absolute_url()`` for a published course that
teaches ``scam_type`` in ``language``, or ``None`` when there is none. Templates show a
"recommended course" link only when it returns something.
"""

from __future__ import annotations

from typing import Any


def recommended_course_for(scam_type: str | None, language: str) -> Any | None:
    return None
