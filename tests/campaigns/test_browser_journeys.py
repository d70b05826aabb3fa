"""Volunteers and coordinators on their journeys, in real Chromium: a rejected log corrected
and sent again, with and without signal; a coordinator working through the queue."""

import uuid

import pytest
from playwright.sync_api import expect

from campaigns.models import SessionLog, SessionPhoto, Status
from campaigns.services import session_log_review
from core.audit import AuditAction
from core.models import AuditLog
from tests.campaigns.factories import (
    CampaignFactory,
    SessionLogFactory,
    coordinator_of,
    jpeg_bytes,
    region_tree,
    volunteer_in,
)
from tests.campaigns.test_browser import sign_in
from tests.conftest import RESULTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def rejected_log(campaign, volunteer, county, coordinator, **fields):
    log = SessionLogFactory(
        campaign=campaign, volunteer=volunteer, county=county, venue_name="西江村村委会", **fields
    )
    log.photos.create(client_photo_id="old-1", content_hash="a" * 64)
    log.photos.create(client_photo_id="old-2", content_hash="b" * 64)
    session_log_review(log=log, reviewer=coordinator, decision=Status.REJECTED, note="人数写错了")
    return log


@pytest.fixture
def world():
    regions = region_tree()
    campaign = CampaignFactory(name="金融教育进百县")
    campaign.target_counties.set([regions["leishan"], regions["congjiang"]])
    campus = CampaignFactory(name="校园反诈护航行动")
    campus.target_counties.set([regions["kaiyang"]])
    volunteer = volunteer_in(campaign, regions["leishan"], username="lanmajia")
    volunteer_in_team = campus.teams.create(name="开阳队")
    volunteer_in_team.assignments.create(volunteer=volunteer, county=regions["kaiyang"])
    coordinator = coordinator_of(campaign, username="chenjing")
    return {"regions": regions, "campaign": campaign, "campus": campus, "volunteer": volunteer,
            "coordinator": coordinator}  # fmt: skip


def test_a_rejected_log_corrected_without_signal_is_sent_once_and_is_back_in_the_queue(
    web_server, browser, phone, world, tmp_path
):
    # Given a log the coordinator rejected, with two photos
    log = rejected_log(
        world["campaign"], world["volunteer"], world["regions"]["leishan"], world["coordinator"]
    )
    photo = tmp_path / "签到表.jpg"
    photo.write_bytes(jpeg_bytes(color=(10, 120, 200)))
    page = phone
    sign_in(page, web_server, "lanmajia")

    # When the volunteer sees the reason on their logs and opens the correction with signal
    page.goto(web_server + "/campaigns/mine/")
    expect(page.get_by_text("人数写错了")).to_be_visible()
    page.get_by_role("link", name="修改后重新提交").click()
    expect(page.get_by_role("heading", name="修改后重新提交")).to_be_visible()
    expect(page.get_by_label("场所名称")).to_have_value("西江村村委会")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "campaign-correct-phone.png"), full_page=True)

    # ... loses the signal, corrects the figures, takes a photo off, adds one and saves
    page.context.set_offline(True)
    page.get_by_label("60 岁及以上").fill("25")
    page.get_by_label("其他农民").fill("8")
    page.locator('input[name="remove_photos"][value="old-2"]').check()
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="重新提交审核").click()

    # Then the page says it is kept on the phone (not sent), and the queue holds it
    expect(page.locator("[data-save-state]")).to_have_text("已保存在手机上")
    expect(page.locator("[data-queue-state]")).to_contain_text("1 条记录待发送")
    expect(page.locator("[data-queue] li")).to_contain_text("已修改，重新提交")
    page.screenshot(path=str(RESULTS / "campaign-correct-offline-phone.png"), full_page=True)
    log.refresh_from_db()
    assert log.status == Status.REJECTED

    # ... and when the signal comes back it is sent, once, with its photos
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/resubmit") else None)
    page.context.set_offline(False)
    expect(page.locator("[data-queue] li")).to_have_count(0, timeout=30_000)
    expect(page.locator("[data-queue-state]")).to_have_text("手机上没有待发送的记录。")
    assert len(sent) == 1
    log.refresh_from_db()
    assert (log.status, log.attendees_elderly, log.attendees_farmers, log.client_uuid) == (
        Status.PENDING, 25, 8, log.client_uuid,
    )  # fmt: skip
    assert SessionLog.objects.count() == 1
    photos = set(SessionPhoto.objects.filter(log=log).values_list("client_photo_id", flat=True))
    assert "old-1" in photos and "old-2" not in photos and len(photos) == 2
    assert AuditLog.objects.filter(action=AuditAction.SESSION_LOG_RESUBMITTED).count() == 1

    # ... and the coordinator finds it in the review queue again, marked as corrected
    desk = browser.new_context(**DESKTOP)
    review = desk.new_page()
    sign_in(review, web_server, "chenjing")
    review.goto(web_server + "/campaigns/review/")
    card = review.locator(f'li[data-log="{log.client_uuid}"]')
    expect(card).to_contain_text("已修改并重新提交")
    expect(card).to_contain_text("人数写错了")
    desk.close()


def test_with_signal_the_correction_says_sent_and_the_county_list_follows_the_campaign(
    web_server, phone, world
):
    # Given a rejected log, and a volunteer in two campaigns
    log = rejected_log(
        world["campaign"], world["volunteer"], world["regions"]["leishan"], world["coordinator"]
    )
    page = phone
    sign_in(page, web_server, "lanmajia")

    # When they open the new-log form and switch campaigns
    page.goto(web_server + "/campaigns/log/")
    county = page.get_by_label("县（区）")
    page.get_by_label("宣教行动").select_option(label="校园反诈护航行动")
    # Then only that campaign's counties can be chosen
    expect(county).to_have_value("520121")
    shown = county.locator("option:not([disabled])")
    expect(shown).to_have_count(1)
    page.get_by_label("宣教行动").select_option(label="金融教育进百县")
    expect(county).to_have_value("522634")  # their team's county in that campaign
    expect(county.locator("option:not([disabled])")).to_have_count(1)

    # When they correct the rejected log with signal
    page.goto(web_server + f"/campaigns/mine/{log.client_uuid}/edit/")
    page.get_by_label("场所名称").fill("西江村委会（新址）")
    page.get_by_role("button", name="重新提交审核").click()

    # Then the button says it was sent, and the log is waiting for review again
    expect(page.locator("[data-save-state]")).to_have_text("已发送 ✓", timeout=30_000)
    expect(page.get_by_role("button", name="重新提交审核")).to_be_disabled()
    page.screenshot(path=str(RESULTS / "campaign-correct-sent-phone.png"), full_page=True)
    log.refresh_from_db()
    assert (log.status, log.venue_name) == (Status.PENDING, "西江村委会（新址）")

    # ... and a new log saved with signal says sent too, not "kept on the phone"
    page.goto(web_server + "/campaigns/log/")
    page.get_by_label("场所名称").fill("丙妹镇集市")
    page.get_by_label("60 岁及以上").fill("9")
    page.get_by_role("button", name="保存记录").click()
    expect(page.locator("[data-save-state]")).to_have_text("已发送 ✓", timeout=30_000)
    assert SessionLog.objects.filter(venue_name="丙妹镇集市").count() == 1


def test_a_coordinator_pages_and_filters_the_queue_and_approves_several_at_once(
    web_server, browser, world
):
    # Given 23 waiting logs in Leishan and 2 in Congjiang
    campaign, regions = world["campaign"], world["regions"]
    for n in range(23):
        SessionLogFactory(
            campaign=campaign, county=regions["leishan"], venue_name=f"雷山村{n:02d}",
            client_uuid=uuid.uuid4(),
        )  # fmt: skip
    for n in range(2):
        SessionLogFactory(campaign=campaign, county=regions["congjiang"], venue_name=f"从江村{n}")
    desk = browser.new_context(**DESKTOP)
    page = desk.new_page()
    sign_in(page, web_server, "chenjing")

    # When the coordinator opens the queue
    page.goto(web_server + "/campaigns/review/")
    total = page.locator("#queue")
    expect(total).to_contain_text("共 25 条记录")
    expect(total).to_contain_text("第 1 页，共 2 页")
    expect(page.locator("li[data-log]")).to_have_count(20)
    page.screenshot(path=str(RESULTS / "campaign-review-desktop.png"), full_page=False)
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("li[data-log]")).to_have_count(5)

    # ... narrows it to Congjiang and approves both logs together
    page.get_by_label("县（区）").select_option("522633")
    page.get_by_role("button", name="显示").click()
    expect(total).to_contain_text("共 2 条记录")
    page.get_by_role("button", name="勾选本页全部记录").click()
    expect(page.locator('input[name="logs"]:checked')).to_have_count(2)
    page.get_by_label("勾选“从江村1”以通过").uncheck()
    expect(page.get_by_role("button", name="勾选本页全部记录")).to_be_visible()
    page.get_by_label("勾选“从江村1”以通过").check()
    expect(page.get_by_role("button", name="取消本页的勾选")).to_be_visible()
    page.get_by_role("button", name="通过勾选的记录").click()

    # Then both are approved, each recorded as their decision, and the filter is kept
    expect(page.get_by_text("已通过 2 条记录")).to_be_visible()
    expect(page.locator("#queue")).to_contain_text("共 0 条记录")
    assert page.get_by_label("县（区）").input_value() == "522633"
    approved = SessionLog.objects.filter(status=Status.APPROVED)
    assert sorted(approved.values_list("venue_name", flat=True)) == ["从江村0", "从江村1"]
    assert AuditLog.objects.filter(action=AuditAction.SESSION_LOG_APPROVED).count() == 2

    # ... and, back on the whole queue, a rejection without a reason is refused on its card
    page.goto(web_server + "/campaigns/review/?page=2")
    expect(page.locator("li[data-log]")).to_have_count(3)
    card = page.locator("li[data-log]").nth(1)
    card.get_by_role("button", name="退回").click()
    refused = page.locator("li[data-log]").nth(1)
    expect(refused.get_by_role("alert")).to_contain_text("请向志愿者说明退回的理由")
    expect(refused.get_by_label("理由或备注")).to_be_focused()
    page.screenshot(path=str(RESULTS / "campaign-review-refused-desktop.png"), full_page=False)
    # ... and approving a card brings them back to the same page, at the next card
    before = page.locator("li[data-log]").nth(2).get_attribute("id")
    page.locator("li[data-log]").nth(1).get_by_role("button", name="通过").click()
    page.wait_for_url(f"**/campaigns/review/?page=2#{before}")
    expect(page.locator("#queue")).to_contain_text("第 2 页")
    desk.close()


def test_a_coordinator_assigns_a_volunteer_with_the_keyboard_through_the_pickers(
    web_server, browser, world
):
    # Given a volunteer of another campaign called 王芳
    volunteer_in(CampaignFactory(), username="wangfang", display_name="王芳")
    desk = browser.new_context(**DESKTOP)
    page = desk.new_page()
    sign_in(page, web_server, "chenjing")
    page.goto(web_server + f"/campaigns/{world['campaign'].pk}/manage/")

    # When they type her name, choose with the arrow keys and Enter, and a county
    who = page.get_by_role("combobox", name="志愿者").first
    who.press_sequentially("王芳")
    expect(page.get_by_role("option", name="王芳 · wangfang")).to_be_visible()
    who.press("ArrowDown")
    who.press("Enter")
    expect(who).to_have_value("王芳（wangfang）")
    page.get_by_role("textbox", name="小队").fill("雷山队")
    where = page.get_by_role("combobox", name="县（区）").first
    where.press_sequentially("从江")
    expect(
        page.get_by_role("option", name="从江县（黔东南苗族侗族自治州，522633）")
    ).to_be_visible()
    where.press("ArrowDown")
    where.press("Enter")
    page.screenshot(path=str(RESULTS / "campaign-manage-picker-desktop.png"), full_page=False)
    page.get_by_role("button", name="分配").click()

    # Then she is in the team, with Congjiang as her county
    expect(page.get_by_text("王芳 (wangfang) · 从江县")).to_be_visible()
    desk.close()
