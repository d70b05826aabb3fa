"""A volunteer in a village with no signal, in real Chromium on a phone-sized screen."""

import time

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from campaigns.models import PhotoStatus, SessionLog, SessionPhoto
from tests.campaigns.factories import (
    CampaignFactory,
    coordinator_of,
    exif_with_gps,
    jpeg_bytes,
    region_tree,
    volunteer_in,
)
from tests.conftest import PHONE, RESULTS

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-42"


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/courses/my/")


def wait_until(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError("timed out")


def test_a_session_logged_offline_reaches_the_review_queue_once_with_its_photo(
    web_server, celery_worker, browser, phone, tmp_path
):
    # Given a volunteer of a campaign in Leishan county, and its coordinator
    regions = region_tree()
    campaign = CampaignFactory(name="金融教育进百县")
    campaign.target_counties.set([regions["leishan"], regions["congjiang"]])
    volunteer = volunteer_in(campaign, regions["leishan"], username="lanmajia")
    coordinator = coordinator_of(campaign, username="chenjing")
    assert volunteer.has_perm("accounts.log_field_sessions") and coordinator.groups.filter(
        name=Role.COORDINATOR
    )
    photo = tmp_path / "签到表.jpg"
    photo.write_bytes(jpeg_bytes((1280, 960), color=(240, 240, 230), exif=exif_with_gps()))

    # ... who opened the form once with signal, so the phone keeps it
    page = phone
    sign_in(page, web_server, "lanmajia")
    page.goto(web_server + "/campaigns/log/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)

    # When the signal is gone, the form still opens, defaulting to their county
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="记录一场活动")).to_be_visible()
    expect(page.get_by_label("县（区）")).to_have_value("522634")
    assert (
        page.evaluate("() => fetch('/healthz').then(() => 'online', () => 'offline')") == "offline"
    )

    # ... and they fill it in and save it with a photo
    page.get_by_label("场所名称").fill("西江村村委会")
    page.get_by_label("60 岁及以上").fill("35")
    page.get_by_label("农民").fill("12")
    page.get_by_label("讲了哪些主题或课程").fill("养老诈骗；96110")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="保存").click()
    queue = page.locator("[data-queue] li")
    expect(queue).to_have_count(1)
    expect(queue).to_contain_text("西江村村委会")
    expect(queue).to_contain_text("1 张照片")

    # ... the page is reloaded with still no signal: the queue is still there, nothing sent
    page.reload()
    expect(page.locator("[data-queue] li")).to_have_count(1)
    assert SessionLog.objects.count() == 0

    # ... and the signal comes back
    page.context.set_offline(False)

    # Then the log is sent, once, the queue empties and the photo is processed
    expect(page.locator("[data-queue] li")).to_have_count(0, timeout=30_000)
    wait_until(lambda: SessionPhoto.objects.filter(status=PhotoStatus.READY).exists())
    assert SessionLog.objects.count() == 1
    log = SessionLog.objects.get()
    assert (log.county_id, log.attendees_total, log.volunteer) == ("522634", 47, volunteer)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "campaign-log-phone.png"), full_page=True)

    # ... "my logs" shows the volunteer the photo's thumbnail, from the checked view
    page.goto(web_server + "/campaigns/mine/")
    own = page.get_by_role("img", name="活动照片")
    expect(own).to_be_visible()
    assert own.get_attribute("src") == f"/campaigns/photos/{log.photos.get().pk}/thumbnail"
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", own.element_handle())
    page.screenshot(path=str(RESULTS / "campaign-my-logs-phone.png"), full_page=True)
    # ... and opening the photo itself leaves no copy in the service worker's cache
    image = f"/campaigns/photos/{log.photos.get().pk}/image"
    assert page.goto(web_server + image).status == 200
    page.goto(web_server + "/campaigns/mine/")
    kept = page.evaluate(
        "async () => { const keys = await Promise.all((await caches.keys()).map("
        "  async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)));"
        "  return keys.flat().map((url) => new URL(url).pathname); }"
    )
    assert "/campaigns/mine/" in kept and image not in kept

    # ... and the coordinator sees it once in the review queue, with its photo
    desk = browser.new_context(**PHONE)
    review = desk.new_page()
    sign_in(review, web_server, "chenjing")
    review.goto(web_server + "/campaigns/review/")
    items = review.locator("li[data-log]")
    expect(items).to_have_count(1)
    expect(items).to_contain_text("西江村村委会")
    thumbnail = items.get_by_role("img", name="活动照片 1")
    expect(thumbnail).to_be_visible()
    assert review.evaluate(
        "img => img.complete && img.naturalWidth > 0", thumbnail.element_handle()
    )
    review.screenshot(path=str(RESULTS / "campaign-review-phone.png"), full_page=True)
    desk.close()


def test_a_file_that_is_not_a_photo_gets_a_clear_message_and_the_log_is_kept(
    web_server, phone, tmp_path
):
    # Given a volunteer with signal, and a document saved under a photo's name
    regions = region_tree()
    campaign = CampaignFactory(name="校园反诈护航行动")
    campaign.target_counties.set([regions["kaiyang"]])
    volunteer_in(campaign, regions["kaiyang"], username="xiaozhang")
    fake = tmp_path / "合影.jpg"
    fake.write_bytes(b"%PDF-1.7 a scanned form, not a photo")
    page = phone
    sign_in(page, web_server, "xiaozhang")
    page.goto(web_server + "/campaigns/log/")

    # When they save a session with it
    page.get_by_label("场所名称").fill("开阳县第一中学")
    page.get_by_label("学生").fill("180")
    page.locator("input[type=file]").set_input_files(str(fake))
    page.get_by_role("button", name="保存").click()

    # Then the phone says why the photo was not attached, and the log itself is saved
    item = page.locator("[data-queue] li")
    expect(item).to_contain_text("照片未能附上", timeout=30_000)
    expect(item).to_contain_text("合影.jpg")
    expect(item).to_contain_text("文件不是图片")
    log = SessionLog.objects.get()
    assert (log.venue_name, log.attendees_total, log.photos.count()) == ("开阳县第一中学", 180, 0)

    # ... and they can clear the message from the phone
    item.get_by_role("button", name="从手机上删除").click()
    expect(page.locator("[data-queue] li")).to_have_count(0)


def test_on_a_shared_phone_a_queued_log_waits_for_the_volunteer_who_wrote_it(web_server, phone):
    # Given two volunteers of one campaign sharing a phone; the first opened the form once
    regions = region_tree()
    campaign = CampaignFactory(name="金融教育进百县")
    campaign.target_counties.set([regions["leishan"]])
    first = volunteer_in(campaign, regions["leishan"], username="lanmajia")
    volunteer_in(campaign, regions["leishan"], username="ahua")
    page = phone
    sign_in(page, web_server, "lanmajia")
    page.goto(web_server + "/campaigns/log/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)

    # ... and saved a log with no signal, then put the phone away (no page open)
    page.context.set_offline(True)
    page.reload()
    page.get_by_label("场所名称").fill("西江村村委会")
    page.get_by_label("60 岁及以上").fill("20")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-queue] li")).to_have_count(1)
    context = page.context
    page.close()
    context.set_offline(False)
    page = context.new_page()

    # When, with signal, the first signs out from the home page and the second signs in on
    # the same phone, and opens their logs
    page.goto(web_server + "/")
    page.get_by_text("菜单").click()  # signing out is in the phone's menu
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(web_server + "/")
    sign_in(page, web_server, "ahua")
    sent = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.url) if "/api/v1/campaign-sessions" in request.url else None
        ),
    )
    page.goto(web_server + "/campaigns/mine/", wait_until="networkidle")

    # Then the first volunteer's log is kept on the phone, not sent under the wrong name
    queue = page.locator("[data-queue] li")
    expect(queue).to_have_count(1)
    expect(queue).to_contain_text("另一位志愿者")
    page.wait_for_load_state("networkidle")
    assert sent == []
    assert SessionLog.objects.count() == 0

    # When the second volunteer signs out, the offline copies of the pages are dropped
    page.get_by_text("菜单").click()  # signing out is in the phone's menu
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(web_server + "/")
    wait_until(
        lambda: (
            not any(key.startswith("anquan-field") for key in page.evaluate("() => caches.keys()"))
        ),
        timeout=10,
    )

    # And once the first volunteer signs in again, their log is sent under their name, once
    sign_in(page, web_server, "lanmajia")
    page.goto(web_server + "/campaigns/mine/")
    # (an empty list is also what the page shows before its script has read the queue, so
    # wait for the server to have the log, then for the list to be empty)
    wait_until(lambda: SessionLog.objects.exists(), timeout=30)
    expect(page.locator("[data-queue] li")).to_have_count(0, timeout=30_000)
    log = SessionLog.objects.get()
    assert (log.volunteer, log.venue_name, log.attendees_total) == (first, "西江村村委会", 20)
