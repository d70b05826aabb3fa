from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from regions.models import Level, Region
from regions.services import DEFAULT_SOURCE, region_rows_parse, regions_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> None:
    call_command("load_regions", "--no-progress", verbosity=0)


def test_shipped_table_parses_into_34_provinces_333_prefectures_2846_counties():
    rows = region_rows_parse(DEFAULT_SOURCE.read_text("utf-8").splitlines())

    counts = {level: sum(1 for r in rows if r.level == level) for level in Level.values}

    assert len(rows) == 3213
    assert counts == {"province": 34, "prefecture": 333, "county": 2846}


def test_loading_builds_the_tree_with_the_right_parents(loaded):
    assert Region.objects.count() == 3213
    assert Region.objects.get(code="330106").parent_id == "330100"  # 西湖区 → 杭州市
    assert Region.objects.get(code="330100").parent_id == "330000"  # 杭州市 → 浙江省
    # Municipal districts and province-administered county units hang from the province.
    assert Region.objects.get(code="110105").parent_id == "110000"  # 朝阳区 → 北京市
    assert Region.objects.get(code="500101").parent_id == "500000"  # 万州区 → 重庆市
    assert Region.objects.get(code="429004").parent_id == "420000"  # 仙桃市 → 湖北省
    assert Region.objects.filter(level="province", parent__isnull=False).count() == 0
    # Every county's parent is a prefecture or a province, never another county.
    assert not Region.objects.filter(level="county", parent__level="county").exists()


def test_loading_twice_changes_nothing(loaded, capsys):
    call_command("load_regions", "--no-progress")

    assert "新增 0 条，更新 0 条，未变 3213 条" in capsys.readouterr().out
    assert Region.objects.count() == 3213


def test_a_renamed_region_is_updated_in_place(loaded, tmp_path: Path):
    lines = DEFAULT_SOURCE.read_text("utf-8").splitlines()
    renamed = [("330106 西湖新区" if line.startswith("330106 ") else line) for line in lines]

    counts = regions_load(rows=region_rows_parse(renamed))

    assert counts == {"created": 0, "updated": 1, "unchanged": 3212}
    assert Region.objects.get(code="330106").name == "西湖新区"


def test_a_malformed_file_is_refused_and_changes_nothing(loaded, tmp_path: Path):
    bad = tmp_path / "bad.txt"
    bad.write_text("110000 北京市\n11010X 东城区\n", encoding="utf-8")

    with pytest.raises(CommandError, match="line 2"):
        call_command("load_regions", "--file", str(bad), "--no-progress")

    assert Region.objects.count() == 3213


def test_the_command_shows_a_progress_bar(capsys):
    call_command("load_regions")

    err = capsys.readouterr().err
    assert "3213/3213" in err
