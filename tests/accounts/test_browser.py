"""A learner's privacy on a phone, in real Chromium: the notice, their data, leaving."""

import json

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.conftest import RESULTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_reads_the_notice_downloads_their_data_and_deletes_the_account_on_a_phone(
    web_server, phone
):
    page = phone
    RESULTS.mkdir(exist_ok=True)

    # Sign-up links the notice and asks for it to be accepted
    page.goto(web_server + "/accounts/signup/")
    page.get_by_role("link", name="阅读我们的隐私声明：保存什么、为什么、保存多久").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我们如何处理您的个人信息")
    expect(page.get_by_role("heading", name="简要版")).to_be_visible()
    page.screenshot(path=str(RESULTS / "privacy-notice-phone.png"), full_page=True)
    page.go_back()
    page.get_by_label("用户名").fill("laozhang")
    page.get_by_label("您的姓名").fill("张𠮷福")
    page.get_by_label("密码", exact=True).fill("lanmajia-2026")
    page.get_by_label("再次输入密码").fill("lanmajia-2026")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("请阅读隐私声明并勾选此项。")).to_be_visible()
    page.get_by_label("密码", exact=True).fill("lanmajia-2026")
    page.get_by_label("再次输入密码").fill("lanmajia-2026")
    page.get_by_label("我已阅读并同意隐私声明").check()
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，张𠮷福")

    # My data: the readable page and the file
    page.get_by_role("link", name="我的数据：查看并下载我们保存的关于您的全部信息").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我们保存的关于您的全部信息")
    expect(page.get_by_text("张𠮷福")).to_be_visible()
    page.screenshot(path=str(RESULTS / "privacy-my-data-phone.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载我的数据（JSON 文件）").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["profile"]["name"] == "张𠮷福"
    assert data["consents"][0]["purpose"] == "notice"

    # Deleting: the password, then the account is gone and the person signed out
    page.get_by_role("link", name="注销我的账户").click()
    page.get_by_label("您的密码").fill("lanmajia-2026")
    page.screenshot(path=str(RESULTS / "privacy-delete-phone.png"), full_page=True)
    page.get_by_role("button", name="永久注销我的账户").click()
    expect(page.get_by_role("status")).to_contain_text("您的账户和个人信息已删除")
    assert not User.objects.filter(username="laozhang").exists()
    assert User.objects.filter(display_name="张𠮷福").count() == 0
