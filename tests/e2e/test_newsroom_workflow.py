"""One story from the reporter's keyboard to the reader's screen, in Debian's headless
Chromium driven by Playwright, against a live server: reporter writes and submits, the
desk editor approves, the editor-in-chief approves and publishes, the reader sees it."""

import os
import re
import tempfile

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from wagtail.models import Page

from newsroom.models import StoryPage
from tests.browser import chromium
from tests.newsroom.helpers import section_of

TIMEOUT_MS = 20_000
SCREENSHOT_DIR = os.environ.get("E2E_SCREENSHOT_DIR", tempfile.gettempdir())

TITLE = "Khánh thành trường học mới ở Mường Lát"
STANDFIRST = "Ngôi trường bán trú giúp 300 học sinh vùng biên không còn phải vượt suối."
PARAGRAPH = "Sáng nay, xã Mường Lát đã đưa ngôi trường mới vào sử dụng."


def log_in(browser, base_url, username, password):
    context = browser.new_context(locale="vi-VN", base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def click_action(page, selector):
    """Clicks an item of the editor's footer action menu (opening its dropdown if the item
    is not the default button) and waits for the page Wagtail answers with. Where it
    lands differs (Wagtail's autosave may already have turned "add" into "edit"), so wait
    for the success message, not for an address."""
    item = page.locator(selector).first
    if not item.is_visible():
        page.locator("footer .w-dropdown-button .w-dropdown__toggle").first.click()
    expect(item).to_be_visible()
    with page.expect_navigation():
        item.click()
    expect(page.locator(".messages li.success").first).to_be_visible()


@pytest.mark.browser
def test_reporter_desk_and_editor_in_chief_publish_in_chromium(
    live_server, demo, demo_password, monkeypatch, settings
):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM reads
    # are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Wagtail's autosave (its own feature, tested upstream) would race the submit click
    # and turn "add" into "edit" at a moment of its choosing; the submit is the only save.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    section = section_of("baothanhhoa", "thoi-su")
    reporter = get_user_model().objects.get(username="phongvien.baothanhhoa")
    base = live_server.url  # http://localhost:<port>: the default site, Báo Thanh Hóa

    with chromium() as browser:
        try:
            # The reporter writes the story and submits it to the workflow.
            page = log_in(browser, base, reporter.username, demo_password)
            page.goto(f"/admin/pages/add/newsroom/storypage/{section.pk}/")
            page.fill("#id_title", TITLE)
            page.fill("#id_standfirst", STANDFIRST)
            page.locator("[data-contentpath='body'] button.c-sf-add-button").first.click()
            page.get_by_role("option", name="Đoạn văn").click()
            editor = page.locator("[data-contentpath='body'] .public-DraftEditor-content").first
            expect(editor).to_be_visible()
            editor.click()
            editor.press_sequentially(PARAGRAPH)
            expect(editor).to_contain_text(PARAGRAPH)
            # Draftail writes its hidden input a moment after the last key (debounced):
            # wait for it, or the form may be sent with the paragraph still empty.
            expect(page.locator("input[name='body-0-value']")).to_have_value(
                re.compile(re.escape(PARAGRAPH[-20:]))
            )
            # A new story starts signed by its author.
            expect(page.locator("#id_bylines-0-author")).to_have_value(str(reporter.pk))
            click_action(page, "button[name='action-submit']")

            story = StoryPage.objects.get(title=TITLE)
            assert not story.live
            assert story.current_workflow_task.name.startswith("Biên tập")
            assert PARAGRAPH in str(story.get_latest_revision_as_object().body)
            edit = f"/admin/pages/{story.pk}/edit/"

            # The desk editor approves (no comment).
            approve = (
                "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])"
            )
            page = log_in(browser, base, "bientap.baothanhhoa", demo_password)
            page.goto(edit)
            click_action(page, approve)
            story.refresh_from_db()
            assert story.current_workflow_task.name.startswith("Tổng biên tập")
            assert not story.live

            # The editor-in-chief approves: the story goes live.
            page = log_in(browser, base, "tongbientap.baothanhhoa", demo_password)
            page.goto(edit)
            click_action(page, approve)
            story.refresh_from_db()
            assert story.live

            # A reader (no login) finds it on the section page and reads it.
            _, _, path = Page.objects.get(pk=story.pk).specific.get_url_parts()
            reader = browser.new_context(locale="vi-VN", base_url=base).new_page()
            reader.goto(section.url_path.removeprefix("/baothanhhoa"))
            reader.get_by_role("link", name=TITLE).first.click()
            reader.wait_for_url(f"**{path}")
            expect(reader.locator("h1")).to_have_text(TITLE)
            expect(reader.locator(".standfirst")).to_have_text(STANDFIRST)
            expect(reader.locator(".story-body")).to_contain_text(PARAGRAPH)
            expect(reader.locator(".meta")).to_contain_text(reporter.get_full_name())
        except Exception:
            # Left for whoever reads the failure: what the browser showed last.
            for n, context in enumerate(browser.contexts):
                for m, shown in enumerate(context.pages):
                    shown.screenshot(path=f"{SCREENSHOT_DIR}/e2e-{n}-{m}.png", full_page=True)
                    errors = shown.locator(".error-message, .help-critical, .w-field__errors")
                    print(shown.url, [t.strip() for t in errors.all_inner_texts() if t.strip()])
                    invalid = shown.locator("[aria-invalid=true]")
                    print("invalid fields:", invalid.evaluate_all("els => els.map(e => e.id)"))
            raise
