"""Offline reading in Debian's Chromium at phone size, the network switched off with
`context.set_offline(True)` (127.0.0.1 and *.localhost are secure contexts, so the
service worker runs): the home page, an opened section's stories and a saved radio story
(its audio playing) still show; the offline page lists them; back online a newly
published story is there; an entitled reader's paid story is readable offline and gone
after log-out; an anonymous reader never gets paid text stored."""

import asyncio
import contextlib

import pytest
from django.utils import timezone

from newsroom.models import StoryPage
from paywall.access import AccessLevel
from tests.browser import chromium, new_page, reader_page, shot, wait_until

from ..paywall.conftest import BROWSER_UA, paid_snippets
from ..paywall.server import serve_project
from ..test_csp_browser import assert_clean, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def url_path(page):
    return page.get_url_parts()[2]


def worker_ready(page):
    wait_until(page, "document.documentElement.dataset.offlineWorker === 'ready'")


def kept(page, path):
    wait_until(
        page,
        f"(document.documentElement.dataset.offlineKept || '').split(' ').includes('{path}')",
    )


def stored(page, path):
    return page.evaluate(f"caches.match(location.origin + '{path}').then(r => r !== undefined)")


def text(page):
    return page.locator("body").inner_text()


def open_offline(page, path):
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    return response


@contextlib.contextmanager
def on_the_test_connection():
    """Inside a chromium() block an ORM call opens a connection of its own, outside the
    test's transaction (tests/browser.py): what it wrote would stay in the database. With
    Playwright's loop unmarked for the call, it runs on the test's connection, the one
    the served project shares."""
    loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


def installable(page):
    """Chromium reads the outlet's manifest without an error and would install it."""
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == [], manifest["errors"]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # A Playwright context is an incognito profile, where Chromium never installs.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    cdp.detach()


def publish_story(section, title):
    template = StoryPage.objects.live().child_of(section).first()
    story = StoryPage(
        title=title,
        slug=f"tin-moi-{timezone.now():%H%M%S%f}",
        standfirst="Nước sông Mã lên nhanh, các xã ven sông khẩn trương di dời người dân.",
        body=template.body.raw_data,
        primary_format="text",
        access_level=AccessLevel.FREE,
    )
    section.add_child(instance=story)
    story.save_revision().publish()
    return story


def test_home_section_and_saved_radio_story_are_read_offline(demo, demo_password):
    radio = (
        StoryPage.objects.live()
        .filter(audio__isnull=False, access_level=AccessLevel.FREE)
        .order_by("-first_published_at")
        .first()
    )
    section = radio.get_parent().specific
    site = radio.get_site()
    other = (
        StoryPage.objects.live()
        .child_of(section)
        .filter(access_level=AccessLevel.FREE)
        .exclude(pk=radio.pk)
        .order_by("-first_published_at")
        .first()
    )
    assert other is not None, "the section has a second free story"

    with serve_project(media=True) as base, chromium() as browser:
        page = new_page(
            browser, base.replace("localhost", site.hostname), phone=True, user_agent=BROWSER_UA
        )
        context = page.context
        seen = watch(page)  # the reader site's CSP: worker and manifest under it

        # Online: the home page, then a section from the menu, then the radio story.
        page.goto("/")
        worker_ready(page)
        kept(page, "/")
        installable(page)
        page.locator("nav.sections a", has_text=section.title).first.click()
        page.wait_for_url(f"**{url_path(section)}")
        kept(page, url_path(section))
        page.goto(url_path(radio))
        worker_ready(page)
        save = page.locator("[data-offline-save] button")
        assert save.inner_text() == "Lưu để đọc sau"
        save.click()
        wait_until(page, "document.querySelector('[data-offline-save]').dataset.state !== 'idle'")
        assert page.locator("[data-offline-save]").get_attribute("data-state") == "saved"
        assert "âm thanh" in page.locator("[data-offline-status]").inner_text()
        assert_clean(page, seen, "online, story saved")
        shot(page, "offline-saved-radio")

        # Offline.
        context.set_offline(True)
        open_offline(page, "/")
        assert page.locator("h2#moi-nhat").is_visible()
        assert page.locator(".offline-note").is_visible()
        assert "ngoại tuyến" in page.locator(".offline-note").inner_text()
        lead = page.locator(".card-lead img")
        if lead.count():
            wait_until(page, "document.querySelector('.card-lead img').naturalWidth > 0")
        shot(page, "offline-home")

        open_offline(page, url_path(other))
        assert page.locator("h1").inner_text() == other.title
        if other.lead_image_id:
            wait_until(page, "document.querySelector('.lead-image img').naturalWidth > 0")
            assert page.evaluate("document.querySelector('.lead-image img').currentSrc").endswith(
                ".fill-400x225.format-webp.webp"
            )
        shot(page, "offline-section-story")

        open_offline(page, url_path(radio))
        assert page.locator("h1").inner_text() == radio.title
        page.locator("audio[data-player]").scroll_into_view_if_needed()
        page.evaluate(
            "const a = document.querySelector('audio[data-player]');"
            "a.muted = true; a.play().catch(() => {});"
        )
        wait_until(page, "document.querySelector('audio[data-player]').currentTime > 0.5")
        assert page.evaluate("document.querySelector('audio[data-player]').readyState") >= 2
        first = page.evaluate("document.querySelector('audio[data-player]').currentTime")
        page.wait_for_timeout(700)
        assert page.evaluate("document.querySelector('audio[data-player]').currentTime") > first
        shot(page, "offline-radio-playing")

        open_offline(page, "/ngoai-tuyen/")
        wait_until(page, "document.documentElement.dataset.offlineListed !== undefined")
        assert page.locator("[data-offline-missing]").count() == 0
        saved = page.locator("[data-offline-saved]").inner_text()
        assert radio.title in saved and "Có âm thanh" in saved
        pages = page.locator("[data-offline-pages]").inner_text()
        assert section.title in pages
        assert other.title in page.locator("[data-offline-stories]").inner_text()
        assert_clean(page, seen, "offline page")
        shot(page, "offline-page")

        # Back online: the worker refreshes; a story published meanwhile is kept too.
        with on_the_test_connection():
            new = publish_story(section, "Mưa lớn kéo dài, sơ tán 300 hộ dân ven sông Mã")
        context.set_offline(False)
        wait_until(page, "document.documentElement.dataset.offlineRefreshed !== undefined")
        context.set_offline(True)
        open_offline(page, url_path(section))
        assert new.title in text(page)
        open_offline(page, url_path(new))
        assert page.locator("h1").inner_text() == new.title
        shot(page, "offline-new-story")


def test_paid_text_is_kept_only_for_the_entitled_reader_and_leaves_at_logout(demo, demo_password):
    premium = StoryPage.objects.live().filter(access_level=AccessLevel.PREMIUM).first()
    site = premium.get_site()
    path = url_path(premium)
    snippets = paid_snippets(premium)

    with serve_project(media=True) as base, chromium() as browser:
        base = base.replace("localhost", site.hostname)
        page = reader_page(browser, base, "docgia.thuebao", demo_password)
        context = page.context
        page.goto(path)
        worker_ready(page)
        page.locator("[data-offline-save] button").click()
        wait_until(page, "document.querySelector('[data-offline-save]').dataset.state !== 'idle'")
        assert page.locator("[data-offline-save]").get_attribute("data-state") == "saved"
        assert page.evaluate(
            f"caches.open('hoitu-private').then(c => c.match(location.origin + '{path}'))"
            ".then(r => r !== undefined)"
        )
        assert not page.evaluate(
            f"caches.open('hoitu-pages').then(c => c.match(location.origin + '{path}'))"
            ".then(r => r !== undefined)"
        )

        context.set_offline(True)
        open_offline(page, path)
        for snippet in snippets:
            assert snippet in text(page)
        shot(page, "offline-paid-subscriber")
        open_offline(page, "/ngoai-tuyen/")
        wait_until(page, "document.documentElement.dataset.offlineListed !== undefined")
        assert "Thu phí, chỉ trên máy này" in page.locator("[data-offline-saved]").inner_text()

        # Log-out (the account page's button): Clear-Site-Data empties the device.
        context.set_offline(False)
        page.goto("/tai-khoan/")
        with page.expect_navigation():
            page.locator("main form button", has_text="Đăng xuất").click()
        assert not stored(page, path)
        assert "hoitu-private" not in page.evaluate("caches.keys()")
        worker_ready(page)  # the landing page's new worker, for anonymous reading
        context.set_offline(True)
        response = page.goto(path)
        body = text(page)
        for snippet in snippets:
            assert snippet not in body
        assert response.status == 200 and "Đọc ngoại tuyến" in body  # the offline page
        assert "chưa được lưu trên máy này" in page.locator("[data-offline-missing]").inner_text()
        shot(page, "offline-paid-after-logout")


def test_an_anonymous_reader_never_gets_paid_text_stored(demo):
    stories = StoryPage.objects.live().exclude(access_level=AccessLevel.FREE)
    metered = stories.filter(access_level=AccessLevel.METERED).first()
    premium = stories.filter(access_level=AccessLevel.PREMIUM).first()
    site = metered.get_site()
    assert premium.get_site() == site

    with serve_project(media=True) as base, chromium() as browser:
        page = new_page(
            browser, base.replace("localhost", site.hostname), phone=True, user_agent=BROWSER_UA
        )
        page.goto("/")
        worker_ready(page)
        # A metered story read in full under the meter, through the worker.
        page.goto(url_path(metered))
        for snippet in paid_snippets(metered):
            assert snippet in text(page)
        page.locator("[data-offline-save] button").click()
        wait_until(page, "document.querySelector('[data-offline-save]').dataset.state !== 'idle'")
        assert page.locator("[data-offline-save]").get_attribute("data-state") == "error"
        assert "đăng nhập" in page.locator("[data-offline-status]").inner_text()
        shot(page, "offline-anonymous-paid-refused")
        page.goto(url_path(premium))
        page.wait_for_load_state("networkidle")
        for path in (url_path(metered), url_path(premium)):
            assert not stored(page, path), path
        names = page.evaluate("caches.keys()")
        assert "hoitu-private" not in names or not page.evaluate(
            "caches.open('hoitu-private').then(c => c.keys()).then(k => k.length)"
        )

        page.context.set_offline(True)
        page.goto(url_path(metered))
        body = text(page)
        for snippet in paid_snippets(metered):
            assert snippet not in body
        assert "Đọc ngoại tuyến" in body


def test_another_reader_on_the_same_phone_never_sees_the_first_ones_paid_copies(
    demo, demo_password, make_reader, subscribe
):
    """The first reader's session ends without a log-out (cookies gone); a second
    subscriber logs in on the same phone: the first paid page that reaches the worker
    under the new reader empties the private cache of the first one's copies."""
    premium = list(StoryPage.objects.live().filter(access_level=AccessLevel.PREMIUM)[:2])
    site = premium[0].get_site()
    first_path, second_path = url_path(premium[0]), url_path(premium[1])
    second = make_reader(email="docgia.hai@example.vn")
    subscribe(second, site)

    with serve_project(media=True) as base, chromium() as browser:
        page = reader_page(
            browser, base.replace("localhost", site.hostname), "docgia.thuebao", demo_password
        )
        page.goto(first_path)
        worker_ready(page)
        page.locator("[data-offline-save] button").click()
        wait_until(page, "document.querySelector('[data-offline-save]').dataset.state !== 'idle'")
        assert stored(page, first_path)

        page.context.clear_cookies()  # the session ends, nobody pressed "Đăng xuất"
        page.goto("/tai-khoan/dang-nhap/")
        page.fill("main input[name=username]", "docgia.hai@example.vn")
        page.fill("main input[name=password]", "mat-khau-rat-dai-2026")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        page.goto(second_path)
        wait_until(page, f"caches.match(location.origin + '{first_path}').then(r => !r)")
        assert stored(page, second_path)
