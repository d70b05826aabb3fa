"""Pages stay light: the catalogue, every demo course page and every lesson without video,
each with everything it loads, is at most 150 KB on the wire (compressed), measured through
the production web server."""

from __future__ import annotations

import re
import urllib.request

import pytest

from edu.demo import demo_courses_seed
from edu.models import Lesson

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = 150 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+|/media/[^"]+)"')


def transferred(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        text = ""
        if response.headers.get("Content-Encoding") is None:
            text = body.decode("utf-8", "replace")
        elif response.headers["Content-Encoding"] == "gzip":
            import gzip

            text = gzip.decompress(body).decode("utf-8", "replace")
        return len(body) + len(str(response.headers)), text


def test_the_catalogue_course_and_lesson_pages_with_their_assets_stay_under_150_kb(web_server):
    demo_courses_seed()
    lessons = Lesson.objects.select_related("course").filter(video_url="")
    assert lessons.count() >= 15
    pages = ["/courses/"]
    pages += sorted({f"/courses/{lesson.course.slug}/" for lesson in lessons})
    pages += [f"/courses/{lesson.course.slug}/{lesson.slug}/" for lesson in lessons]
    heaviest = (0, "")
    for page in pages:
        url = web_server + page
        size, html = transferred(url)
        assert html, f"{url} was not served gzip-compressed"
        for asset in set(ASSET.findall(html)):
            size += transferred(web_server + asset)[0]
        heaviest = max(heaviest, (size, url))
    print(f"heaviest page with assets: {heaviest[0]} bytes ({heaviest[1]})")
    assert heaviest[0] <= BUDGET, heaviest
