import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loaded() -> None:
    call_command("load_regions", "--no-progress", verbosity=0)


def test_provinces_are_listed_with_their_total_count(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the count and the page
        response = client.get("/api/v1/regions/", {"level": "province"})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 34
    assert body["results"][0] == {
        "code": "110000",
        "name": "北京市",
        "level": "province",
        "parent": None,
    }


def test_children_of_a_prefecture_are_filtered_by_parent(client):
    body = client.get("/api/v1/regions/", {"parent": "330100", "page_size": 100}).json()

    assert body["count"] == 13
    assert {r["name"] for r in body["results"]} >= {"西湖区", "上城区", "淳安县"}
    assert all(r["parent"] == "330100" for r in body["results"])


def test_counties_are_paginated(client):
    first = client.get("/api/v1/regions/", {"level": "county"}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 2846
    assert len(first["results"]) == 50
    assert first["results"][-1]["code"] < second["results"][0]["code"]


def test_an_unknown_level_is_a_problem_pointing_at_the_parameter(client):
    response = client.get("/api/v1/regions/", {"level": "village"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/validation-error"
    assert body["errors"][0]["pointer"] == "#/level"


def test_an_unknown_parameter_is_refused_rather_than_ignored(client):
    # "levle" would otherwise list every region as if no filter were asked for
    response = client.get("/api/v1/regions/", {"levle": "province", "page": 1})

    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/levle"]


def test_one_region_by_code_and_an_unknown_code(client):
    assert client.get("/api/v1/regions/330106/").json()["name"] == "西湖区"

    missing = client.get("/api/v1/regions/999999/")
    assert missing.status_code == 404
    assert missing.json()["type"] == "/problems/not-found"


def test_regions_are_read_only(client):
    response = client.post("/api/v1/regions/", {"code": "999999"}, content_type="application/json")

    assert response.status_code == 405
    assert response.json()["type"] == "/problems/method-not-allowed"


@pytest.mark.django_db
def test_the_county_codes_are_read_once_even_when_the_table_is_empty(
    django_assert_num_queries,
):
    from regions.models import Level, Region
    from regions.selectors import county_codes

    for level in (Level.COUNTY, Level.PREFECTURE, Level.PROVINCE):  # children first
        Region.objects.filter(level=level).delete()
    with django_assert_num_queries(1):
        assert county_codes() == frozenset()
        assert county_codes() == frozenset()
