import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import ROOT
from tests.factories import UserFactory

PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_pages_are_in_chinese_by_default(client):
    html = client.get("/").content.decode()

    assert '<html lang="zh-hans"' in html
    assert "跳到主要内容" in html
    assert "拨打全国反诈劝阻专线" in html


def test_the_language_switch_persists_in_a_cookie(client):
    response = client.post("/preferences/language/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Skip to main content" in html


@pytest.mark.django_db
def test_the_language_choice_follows_the_account_to_another_browser(client):
    user = UserFactory()
    client.force_login(user)
    client.post("/preferences/language/", {"language": "en", "next": "/"})

    other_browser = type(client)()
    other_browser.post(
        "/accounts/login/", {"username": user.username, "password": "correct-horse-42"}
    )

    user.refresh_from_db()
    assert user.language == "en"
    assert "Skip to main content" in other_browser.get("/").content.decode()


def test_an_unknown_language_is_ignored(client):
    client.post("/preferences/language/", {"language": "xx", "next": "/"})

    assert '<html lang="zh-hans"' in client.get("/").content.decode()


def test_elder_mode_toggle_persists_and_enlarges_the_page(client):
    assert 'class=""' in client.get("/").content.decode()

    response = client.post("/preferences/elder-mode/", {"elder_mode": "on", "next": "/"})

    assert response.cookies["elder_mode"].value == "1"
    assert response.cookies["elder_mode"]["max-age"] == 365 * 24 * 3600
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans" class="elder"' in html
    assert 'aria-pressed="true"' in html


@pytest.mark.django_db
def test_elder_mode_is_remembered_on_the_account(client):
    user = UserFactory()
    client.force_login(user)

    client.post("/preferences/elder-mode/", {"elder_mode": "on", "next": "/"})

    user.refresh_from_db()
    assert user.elder_mode is True


def test_the_toggle_does_not_redirect_to_another_site(client):
    response = client.post(
        "/preferences/elder-mode/", {"elder_mode": "on", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_the_layout_has_a_skip_link_landmarks_and_no_third_party_assets(client):
    html = client.get("/").content.decode()

    assert re.search(r'<a class="skip-link" href="#main">', html)
    assert '<main id="main"' in html and "<header" in html and "<footer" in html and "<nav" in html
    for url in re.findall(r'(?:src|href)="([^"#]+)"', html):
        assert not re.match(r"^(https?:)?//", url), f"external asset {url}"
    assert "script-src 'self'" in client.get("/")["Content-Security-Policy"]


def test_static_files_are_served_compressed_with_long_caching(client):
    html = client.get("/").content.decode()
    css = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', html).group(1)

    response = client.get(css, HTTP_ACCEPT_ENCODING="gzip, br")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert "max-age=315360000" in response["Cache-Control"]


def test_the_home_page_is_light_on_a_weak_link(client):
    css = re.search(r'href="(/static/css/[^"]+)"', client.get("/").content.decode()).group(1)

    page = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    total = len(page.content) + len(client.get(css, HTTP_ACCEPT_ENCODING="gzip").getvalue())

    assert page["Content-Encoding"] == "gzip"
    assert total < 30_000


def untranslated(kind: str) -> str:
    return subprocess.run(
        ["msgattrib", f"--{kind}", "--no-wrap", str(PO)], capture_output=True, text=True, check=True
    ).stdout


def test_every_message_has_a_chinese_translation():
    assert untranslated("untranslated") == ""
    assert untranslated("only-fuzzy") == ""


def test_the_chinese_catalogue_is_up_to_date_with_the_code(tmp_path: Path):
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "node_modules", "__pycache__", "tests", "*.mo", ".*_cache"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "-i",
            "tests/*",
            "-v",
            "0",
        ],
        cwd=copy,
        check=True,
        env={
            "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "VAR_DIR": str(tmp_path / "var"),
        },
    )

    def msgids(po: Path) -> set[str]:
        # A msgid may continue over several quoted lines; join them.
        found, current = set(), None
        for line in po.read_text("utf-8").splitlines():
            if line.startswith('msgid "'):
                current = line[7:-1]
            elif current is not None and line.startswith('"'):
                current += line[1:-1]
            else:
                if current:
                    found.add(current)
                current = None
        return found

    missing = msgids(copy / PO.relative_to(ROOT)) - msgids(PO)
    assert not missing, f"run `make makemessages` and translate: {sorted(missing)[:10]}"
