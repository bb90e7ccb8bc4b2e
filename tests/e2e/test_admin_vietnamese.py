"""Every staff role of every agency walks its working day through the admin in Chromium,
and not one English interface word may show: dashboard, the outlet's page explorer, a
story's editor (its tabs, the workflow action menu, the image, audio/video and page
choosers), a new story, the planning desk, statistics, reports, account settings and every
other screen the role's sidebar menu offers. What counts as English is decided by
tests/i18n/english.py (Wagtail's own English vocabulary minus Vietnamese syllables)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from wagtail.models import Page

from newsroom.models import StoryPage
from tests.browser import chromium, new_page, shot, staff_page
from tests.i18n.english import english_words

AGENCIES = ["baothanhhoa", "ptth", "vannghe"]
ROLES = ["phongvien", "bientap", "thuky", "tongbientap"]
USERS = [f"{role}.{agency}" for agency in AGENCIES for role in ROLES] + ["so.tttt", "quantri"]

# Screens whose content differs by agency, opened by every user (a refusal or redirect is
# not this test's business: each part's tests check who may see what).
AGENCY_SCREENS = [
    "/admin/",
    "/admin/newsroom/ke-hoach/",
    "/admin/thong-ke/",
    "/admin/thong-ke/cua-toi/",
]
# Screens that read the same for a role in any agency: opened once per role, with every
# other screen of the role's sidebar menu (the administrator's, which is every screen of
# every part, excepted: the parts' own tests cover theirs).
ROLE_SCREENS = [
    "/admin/reports/locked/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow_tasks/",
    "/admin/reports/site-history/",
    "/admin/reports/aging-pages/",
    "/admin/account/",
]

# Every string a user reads or hears: visible text, the title, and the labels, hints and
# button values of the elements on the page (hidden dropdown items included).
COLLECT = """() => {
    const out = [document.title];
    const visible = document.body.innerText;
    out.push(...visible.split("\\n"));
    for (const el of document.querySelectorAll("[title], [placeholder], [aria-label], "
            + "input[type=submit], input[type=button], button[value]")) {
        if (el.closest("template, script, [data-w-tooltip-content-value]")) continue;
        for (const attr of ["title", "placeholder", "aria-label"]) {
            if (el.getAttribute(attr)) out.push(el.getAttribute(attr));
        }
        if (el.matches("input[type=submit], input[type=button]") && el.value) out.push(el.value);
    }
    for (const el of document.querySelectorAll("[data-w-tooltip-content-value]")) {
        out.push(el.getAttribute("data-w-tooltip-content-value"));
    }
    return out.filter(s => s && s.trim());
}"""

# The sidebar menu's addresses (Wagtail packs its props as JSON, submenus included).
MENU_URL = re.compile(r'"url":\s*"(/admin/[^"]*)"')


class Findings:
    def __init__(self):
        self.lines = []
        self.seen = set()

    def check(self, page, who, where):
        for text in page.evaluate(COLLECT):
            words = english_words(text)
            key = (where.split("?")[0], text)
            if words and key not in self.seen:
                self.seen.add(key)
                line = f"{who} {where}: {words} in {text.strip()[:140]!r}"
                print(line, flush=True)
                self.lines.append(line)


def open_screen(page, url):

    response = page.goto(url)
    if response is None or response.status >= 400 or "/admin/login/" in page.url:
        return False
    return page.url.split("?")[0].endswith(url.split("?")[0])


def close_modal(page):
    page.locator(".modal-dialog button.close:visible").first.click()
    expect(page.locator(".modal-dialog:visible")).to_have_count(0)


def open_chooser(page, findings, who, where, opener):
    """Opens a chooser modal, reads it, closes it."""
    opener.click()
    modal = page.locator(".modal-dialog").first
    expect(modal).to_be_visible()
    expect(modal.locator(".modal-body")).not_to_be_empty()
    page.wait_for_load_state("networkidle")
    findings.check(page, who, where)
    shot(page, f"admin-vi-{who}-{where.rsplit('(', 1)[-1]}")
    close_modal(page)


def walk_editor(page, findings, who, story, section, *, choosers):
    """A story's editor (tabs, the action menu opened) and a new story's (the block menu,
    the image, audio and video choosers, the page chooser of a paragraph's link)."""
    url = f"/admin/pages/{story.pk}/edit/"
    page.goto(url)
    findings.check(page, who, url)
    for tab in page.locator("[role=tab]").all():
        tab.click()
        findings.check(page, who, f"{url} (thẻ {tab.inner_text().strip()})")
    page.locator("[role=tab]").first.click()
    toggle = page.locator("footer .w-dropdown-button .w-dropdown__toggle").first
    if toggle.count():
        toggle.click()
        findings.check(page, who, url + " (menu hành động)")
        page.keyboard.press("Escape")

    add = f"/admin/pages/add/newsroom/storypage/{section.pk}/"
    if not choosers or not open_screen(page, add):
        return
    findings.check(page, who, add)
    # The image chooser always; the audio and video ones where the field offers a chooser
    # (a plain select otherwise, which the page's text above already covers).
    for field in ("lead_image", "audio", "video"):
        opener = page.locator(f"[data-contentpath='{field}'] [data-chooser-action-choose]:visible")
        if field == "lead_image" or opener.count():
            open_chooser(page, findings, who, f"{add} (chọn {field})", opener.first)
    page.locator("[data-contentpath='body'] button.c-sf-add-button").first.click()
    findings.check(page, who, add + " (thêm khối)")
    page.get_by_role("option", name="Đoạn văn").click()
    editor = page.locator("[data-contentpath='body'] .public-DraftEditor-content").first
    editor.click()
    editor.press_sequentially("Thanh Hóa")
    page.keyboard.press("Control+A")
    link = page.locator("[data-contentpath='body'] button[name='LINK']").first
    expect(link).to_be_visible()
    open_chooser(page, findings, who, f"{add} (chọn trang để liên kết)", link)


def editable_story(user, agency):
    home = Page.objects.get(slug=agency, depth=2)
    for story in StoryPage.objects.descendant_of(home).order_by("-latest_revision_created_at"):
        if story.permissions_for_user(user).can_edit():
            return home, story
    return home, None


def screens_of(page, user, agency, first_of_role):
    """The addresses this user opens, and the story whose editor they open."""
    screens, story = list(AGENCY_SCREENS), None
    if agency in AGENCIES:
        home, story = editable_story(user, agency)
        screens.insert(1, f"/admin/pages/{home.pk}/")
        if story:
            screens.insert(2, f"/admin/pages/{story.get_parent().pk}/")
    if first_of_role and agency:
        props = page.locator("#wagtail-sidebar-props").text_content() or ""
        menu = [u for u in MENU_URL.findall(props) if "?" not in u]
        screens += [u for u in dict.fromkeys(ROLE_SCREENS + menu) if u not in screens]
    elif first_of_role:
        screens += ROLE_SCREENS
    return screens, story


# One test per role (the department officer and the administrator together), so that the
# test processes share the walk; each role walks its whole menu in its first agency.
GROUPS = {role: [u for u in USERS if u.startswith(role + ".")] for role in ROLES}
GROUPS["so-quantri"] = ["so.tttt", "quantri"]


@pytest.mark.browser
@pytest.mark.parametrize("group", list(GROUPS))
def test_every_staff_role_sees_the_admin_in_vietnamese(
    live_server, demo, demo_password, settings, group
):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    findings = Findings()
    roles_done = set()
    users = get_user_model().objects.in_bulk(GROUPS[group], field_name="username")
    with chromium() as browser:
        if group == "so-quantri":
            # The login page, in a browser that asks for English.
            login = new_page(browser, live_server.url, locale="en-US")
            login.goto("/admin/login/")
            findings.check(login, "(chưa đăng nhập)", "/admin/login/")
            login.context.close()
        for username in GROUPS[group]:
            role, _, agency = username.partition(".")
            first_of_role = role not in roles_done
            roles_done.add(role)
            page = staff_page(browser, live_server.url, username, demo_password)
            try:
                screens, story = screens_of(page, users[username], agency, first_of_role)
                for url in screens:
                    if open_screen(page, url):
                        findings.check(page, username, url)
                if story:
                    walk_editor(
                        page, findings, username, story, story.get_parent(), choosers=first_of_role
                    )
            except Exception:
                shot(page, f"admin-vi-{username}")
                raise
            finally:
                page.context.close()
    assert not findings.lines, "English on the admin screens:\n" + "\n".join(findings.lines)
