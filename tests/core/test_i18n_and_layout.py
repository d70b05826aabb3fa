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


# --- Traditional Chinese (zh-hant): made from zh_Hans, with reviewed overrides -------------

HANT_PO = ROOT / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"


def test_traditional_chinese_is_offered_in_the_header_named_in_itself(client):
    html = client.get("/").content.decode()

    assert re.search(r'value="zh-hant" class="pill" lang="zh-hant"\s*>繁體中文</button>', html)
    assert ("zh-hant", "繁體中文") in settings.LANGUAGES


def test_the_language_switch_to_traditional_chinese_translates_the_page(client):
    response = client.post("/preferences/language/", {"language": "zh-hant", "next": "/"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    html = client.get("/").content.decode()
    assert '<html lang="zh-hant"' in html
    assert "跳到主要內容" in html  # 跳到主要内容, converted
    assert "撥打全國反詐勸阻專線" in html
    assert "跳到主要内容" not in html


def test_a_browser_set_to_taiwan_or_hong_kong_chinese_gets_traditional(client):
    for accept in ("zh-TW,zh;q=0.9", "zh-HK", "zh-Hant"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert '<html lang="zh-hant"' in html, accept


@pytest.mark.django_db
def test_traditional_chinese_is_remembered_on_the_account(client):
    user = UserFactory()
    client.force_login(user)

    client.post("/preferences/language/", {"language": "zh-hant", "next": "/"})

    user.refresh_from_db()
    assert user.language == "zh-hant"


def _msgids(po) -> dict[tuple[str | None, str], object]:
    return {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}


def test_every_message_has_a_traditional_translation(tmp_path: Path):
    import polib

    from core.hant_catalogue import catalogue_hant_build

    result = catalogue_hant_build(target=tmp_path)

    built = tmp_path / "zh_Hant" / "LC_MESSAGES" / "django.po"
    # Both catalogues are built: the pages' and the scripts' (the admin's selector widget).
    assert sorted(result.written) == [built, built.with_name("djangojs.po")]
    hans, hant = _msgids(polib.pofile(str(PO))), _msgids(polib.pofile(str(built)))
    assert hant.keys() == hans.keys()
    for kind in ("untranslated", "only-fuzzy"):
        out = subprocess.run(
            ["msgattrib", f"--{kind}", "--no-wrap", str(built)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out == "", out[:500]
    # Converted, not copied: the Simplified wording of the skip link is gone.
    assert hant[(None, "Skip to main content")].msgstr == "跳到主要內容"


def test_the_site_serves_the_current_traditional_catalogue(tmp_path: Path):
    from core.hant_catalogue import catalogue_hant_build

    catalogue_hant_build(target=tmp_path)

    assert HANT_PO.is_file(), "run `make messages`"
    fresh = (tmp_path / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    assert HANT_PO.read_text("utf-8") == fresh, "run `make messages`"


def test_the_reviewed_overrides_are_applied_and_none_is_stale(tmp_path: Path):
    import dataclasses

    from django.utils import translation

    from core.hant import convert, overrides_read
    from core.hant_catalogue import catalogue_hant_build

    overrides = overrides_read()
    assert overrides.phrases and overrides.messages
    with translation.override("zh-hant"):
        # A phrase: s2twp reads 代码 as source code (程式碼); a region code is 代碼.
        county_code = translation.gettext("county code")
        assert "代碼" in county_code and "程式碼" not in county_code
        assert translation.gettext("Accounts and roles") == "帳戶與角色"  # not 賬戶
        # A whole message, as reviewed (OpenCC alone writes 當用戶, missing 使用者).
        for message in overrides.messages:
            assert translation.gettext(message.msgid) == message.msgstr
    assert "當用戶" in convert("只有当用户看到了测验", dataclasses.replace(overrides, phrases=()))
    assert convert("县区代码", dataclasses.replace(overrides, phrases=())) == "縣區程式碼"
    assert catalogue_hant_build(target=tmp_path).stale == []


def test_overrides_are_written_in_traditional_characters():
    from core.hant import convert, overrides_read

    overrides = overrides_read()
    for _wrong, right in overrides.phrases:
        assert convert(right) == right, right
    for message in overrides.messages:
        assert "当" not in message.msgstr and "户" not in message.msgstr


def test_a_string_added_to_zh_hans_gets_its_traditional_translation_for_free(tmp_path: Path):
    from core.hant_catalogue import catalogue_hant_build

    source = tmp_path / "zh_Hans" / "LC_MESSAGES"
    source.mkdir(parents=True)
    (source / "django.po").write_text(
        PO.read_text("utf-8") + '\nmsgid "Download the software"\nmsgstr "下载软件"\n', "utf-8"
    )

    catalogue_hant_build(locale=tmp_path)

    built = (tmp_path / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    assert 'msgid "Download the software"\nmsgstr "下載軟體"' in built  # Taiwan phrasing


@pytest.mark.django_db
def test_traditional_chinese_is_a_choice_on_the_account_page(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get("/accounts/me/").content.decode()
    saved = client.post(
        "/accounts/me/",
        {"display_name": user.display_name or "林", "email": "", "language": "zh-hant"},
    )

    assert '<option value="zh-hant">繁體中文</option>' in page
    assert saved.status_code == 302
    assert saved.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    user.refresh_from_db()
    assert user.language == "zh-hant"


def test_a_release_without_the_built_traditional_catalogue_is_warned(settings, tmp_path: Path):
    from core.checks import traditional_catalogue_check

    assert traditional_catalogue_check() == []  # built by `make messages`
    settings.LOCALE_PATHS = [tmp_path]

    (warning,) = traditional_catalogue_check()

    assert warning.id == "core.W021"
    assert "messages_hant" in warning.hint


def test_an_override_whose_message_is_gone_is_reported_stale(tmp_path: Path):
    from core.hant import overrides_read
    from core.hant_catalogue import catalogue_hant_build

    source = tmp_path / "zh_Hans" / "LC_MESSAGES"
    source.mkdir(parents=True)
    (source / "django.po").write_text('msgid "Sign in"\nmsgstr "登录"\n', "utf-8")
    (tmp_path / "zh_Hant").mkdir()
    (tmp_path / "zh_Hant" / "overrides.toml").write_text(
        '[[message]]\nmsgid = "Sign in"\nmsgstr = "登入帳號"\n\n'
        '[[message]]\nmsgid = "Log on"\nmsgstr = "登入"\n',
        "utf-8",
    )

    result = catalogue_hant_build(locale=tmp_path)

    assert result.stale == ["Log on"]
    assert result.overridden == 1
    built = (tmp_path / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    assert 'msgid "Sign in"\nmsgstr "登入帳號"' in built
    assert overrides_read(tmp_path / "missing.toml").messages == ()
