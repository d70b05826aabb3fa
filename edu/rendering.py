"""Lesson Markdown → safe HTML.

markdown-it-py parses CommonMark with raw HTML switched off; nh3 (the Ammonia sanitiser) then
keeps only the tags and attributes a lesson needs, so no script, event handler or
``javascript:`` link can reach a reader whatever an editor or a package types.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote", "code", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


def markdown_to_safe_html(source: str) -> str:
    html = _MARKDOWN.render(source or "")
    # A lesson's "# Title" would compete with the page's own h1: demote it.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def markdown_to_text(source: str) -> str:
    """Plain text of a lesson, for search and for the certificate-free API summary."""
    return nh3.clean(markdown_to_safe_html(source), tags=set()).strip()
