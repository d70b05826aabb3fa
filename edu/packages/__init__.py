"""Course packages: one course, its modules, lessons and images, in one versioned archive.

A package is a ZIP file (or, for content kept in git such as ``edu/demo_content``, a folder
of the same files) holding:

``course.json`` (the manifest, UTF-8 JSON)::

    {
      "format": "anquan-course-package",     # optional in a folder
      "format_version": 2,                   # optional, 1 when absent; 1 and 2 are read
      "slug": "recognise-common-scams",
      "topic": "anti_fraud",                 # edu.models.Topic
      "audiences": ["general"],              # codes of quizzes.Audience
      "scam_types": ["task_rebate"],         # codes of quizzes.ScamType, may be empty
      "position": 0,                          # optional, order in the catalogue
      "title": {"zh-hans": "…", "en": "…"},  # zh-hans required, en optional
      "summary": {"zh-hans": "…", "en": "…"},
      "modules": [{
        "title": {"zh-hans": "…", "en": "…"},
        "lessons": [{
          "slug": "why-scams-work", "minutes": 5,
          "title": {"zh-hans": "…", "en": "…"},
          "body": {"zh-hans": "lessons/why.zh-hans.md", "en": "lessons/why.en.md"},
          "video_url": "https://…",               # optional
          "audio": "audio/why.mp3",               # optional: MP3, M4A or Ogg
          "check_scam_types": ["task_rebate"],    # optional: a lesson-end knowledge check
          "check_question_count": 3,              # optional
          "images": [{"file": "images/a.png", "alt": {"zh-hans": "…", "en": "…"}}]
        }]
      }],
      "questions": [{                          # version 2: the questions the checks draw
        "key": "police-01", "scam_type": "impersonating_police", "audiences": ["general"],
        "difficulty": 1, "kind": "single",     # quizzes.Question.Kind
        "versions": {"zh-hans": {
          "status": "published", "text": "…", "scenario": "", "explanation": "…",
          "options": [{"text": "…", "correct": true}, {"text": "…", "correct": false}],
          "image": {"file": "questions/police-01.zh-hans.png", "alt": "…"}   # optional
        }, "en": {…}}
      }]
    }

and the files it names (Markdown lesson bodies, PNG/JPEG/WebP images). The questions of
knowledge checks live in the quizzes question bank; since version 2 a package also carries
the questions its checks can draw (both languages, with their images), created or updated
by key on import. Version 1 packages (no questions) are still read.

Importing is all or nothing: the whole archive is read and checked first (paths, sizes,
JSON, every field, every file named), and any problem raises :class:`PackageError` with a
clear message before the database is touched. Re-importing a course (same slug) updates it
in place: lessons are matched by slug, so learners' progress stays; lessons missing from
the new package are retired, not deleted. Importing the same content twice changes nothing."""

from __future__ import annotations

from .archive import (
    FORMAT,
    FORMAT_VERSION,
    IMAGE_FORMATS,
    LANGUAGES,
    MANIFEST,
    MAX_IMAGE_PIXELS,
    READABLE_VERSIONS,
    PackageError,
    read_folder,
    read_zip,
)
from .checking import CourseSpec, ImageSpec, LessonSpec, ModuleSpec
from .exporting import course_package_export
from .importing import ImportResult, course_package_import
from .manifest import MAX_OPTIONS, MAX_QUESTIONS, QUESTION_STATUSES, parse_package

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "IMAGE_FORMATS",
    "LANGUAGES",
    "MANIFEST",
    "MAX_IMAGE_PIXELS",
    "MAX_OPTIONS",
    "MAX_QUESTIONS",
    "QUESTION_STATUSES",
    "READABLE_VERSIONS",
    "CourseSpec",
    "ImageSpec",
    "ImportResult",
    "LessonSpec",
    "ModuleSpec",
    "PackageError",
    "course_package_export",
    "course_package_import",
    "parse_package",
    "read_folder",
    "read_zip",
]
