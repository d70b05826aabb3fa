"""The catalogue's audience filter names each choice once: "any audience" is not a second
"所有人" beside the audience of that name."""

from __future__ import annotations

import re

import pytest

from tests.quizzes.conftest import contract_codes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "anyone", "everyone"),
    [("zh-hans", "不限", "所有人"), ("en", "Any audience", "Everyone")],
)
def test_the_audience_filter_lists_everyone_once(client, language, anyone, everyone):
    contract_codes()  # the audiences, "general" (所有人) among them
    client.cookies["django_language"] = language

    page = client.get("/courses/").content.decode()

    select = page.split('id="id_audience"', 1)[1].split("</select>", 1)[0]
    labels = re.findall(r"<option[^>]*>([^<]+)</option>", select)
    assert labels[0] == anyone
    assert labels.count(everyone) == 1
    assert len(labels) == len(set(labels))
