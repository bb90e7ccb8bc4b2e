"""The reader site with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrows) in
Chromium: the skip link, the section menu on a phone, the paywall box's links, the
audio and video players, the search form and its filters. Every element the focus
stops on shows it (tests/accessibility/keyboard.py) and each action happens."""

from urllib.parse import unquote, urlsplit

import pytest

from tests.browser import chromium, new_page, shot, wait_until

from ..paywall.conftest import BROWSER_UA
from ..paywall.server import serve_project
from .keyboard import focus_matches, focused, tab_to
from .pages import premium_wall, story
from .ranges import with_byte_ranges

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

MEDIA = """s => { const v = document.querySelector(s);
  return {paused: v.paused, time: v.currentTime, duration: v.duration, volume: v.volume,
          muted: v.muted, status: (v.hoituStatus && v.hoituStatus.textContent) || ''}; }"""


def site(hostname):
    from newsroom.models import Outlet

    return Outlet.objects.select_related("site__root_page").get(site__hostname=hostname).site


def origin(base, hostname):
    return base.replace("//localhost", f"//{hostname}", 1)


def path_of(page):
    parts = urlsplit(page.url)
    return unquote(parts.path + (f"?{parts.query}" if parts.query else ""))


def test_skip_link_section_menu_and_paywall_box_on_a_phone(demo):
    from newsroom.models import SectionPage

    broadcaster = site("truyenhinh.localhost")
    sections = list(SectionPage.objects.live().child_of(broadcaster.root_page).in_menu())
    paper = site("localhost")
    premium = premium_wall(paper)
    assert len(sections) >= 5 and premium

    with serve_project(media=True) as base, chromium() as browser:
        page = new_page(
            browser, origin(base, broadcaster.hostname), phone=True, user_agent=BROWSER_UA
        )
        page.goto("/")

        # The first Tab shows the skip link; Enter on it, and the next Tab is in the content.
        page.keyboard.press("Tab")
        skip = focused(page)
        assert skip["text"] == "Bỏ qua đến nội dung" and skip["ring"] and skip["in_view"], skip
        shot(page, "keyboard-skip-link")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('main')"), focused(page)

        # The phone's section strip scrolls sideways: every section is reached by Tab and
        # scrolled into view, the last one too (it starts off screen).
        page.goto("/")
        assert page.evaluate(
            "(() => { const a = [...document.querySelectorAll('nav.sections a')].pop();"
            " return a.getBoundingClientRect().right > innerWidth; })()"
        ), "the last section should start off screen on a phone"
        stops = tab_to(page, "nav.sections a:last-of-type")
        reached = [s["text"] for s in stops if s["tag"] == "a"][-len(sections) :]
        assert reached == [s.title for s in sections], reached
        last = focused(page)
        assert last["whole_width"], f"the focused section is cut off: {last}"
        shot(page, "keyboard-phone-menu-last")
        tab_to(page, "nav.sections a", back=True)
        previous = focused(page)
        assert previous["text"] == sections[-2].title, previous
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert path_of(page) == sections[-2].get_url_parts()[2]
        assert page.locator("nav.sections a[aria-current=page]").inner_text() == sections[-2].title

        # The paywall box of a premium story: its log-in link and a plan's link, reached
        # and followed with the keyboard.
        reader = new_page(browser, origin(base, paper.hostname), phone=True, user_agent=BROWSER_UA)
        reader.goto(premium)
        tab_to(reader, ".paywall-wall a[href*='/tai-khoan/dang-nhap/']")
        shot(reader, "keyboard-paywall-login-link")
        with reader.expect_navigation():
            reader.keyboard.press("Enter")
        assert path_of(reader) == f"/tai-khoan/dang-nhap/?next={premium}"
        reader.goto(premium)
        tab_to(reader, ".paywall-wall a[href*='/goi-cuoc/']")
        with reader.expect_navigation():
            reader.keyboard.press("Enter")
        assert path_of(reader).startswith(f"/goi-cuoc/?next={premium}")
        # And on the plans page, Tab reaches a plan's buy button.
        tab_to(reader, "main .plan a, main .plan button, main form button")


@pytest.mark.parametrize("kind", ["video", "audio"])
def test_players_by_keyboard(demo, kind):
    broadcaster = site("truyenhinh.localhost")
    if kind == "video":
        path = story("tv", video__isnull=False)(broadcaster)
    else:
        path = story("radio", audio__isnull=False)(broadcaster)
    assert path
    player = f"{kind}[data-player]"

    with serve_project(media=True, wrap=with_byte_ranges) as base, chromium() as browser:
        page = new_page(browser, origin(base, broadcaster.hostname), user_agent=BROWSER_UA)
        page.goto(path)
        tab_to(page, player)
        assert page.evaluate(f"document.querySelector('{player}').matches(':focus-visible')")
        assert page.evaluate(MEDIA, player)["paused"]
        shot(page, f"keyboard-{kind}-focused")

        def state():
            return page.evaluate(MEDIA, player)

        page.keyboard.press("Space")  # plays, once
        wait_until(
            page,
            f"!document.querySelector('{player}').paused && "
            f"document.querySelector('{player}').readyState >= 1",
        )
        page.keyboard.press("Space")
        wait_until(page, f"document.querySelector('{player}').paused")
        wait_until(
            page, f"document.querySelector('{player}').hoituStatus.textContent == 'Tạm dừng'"
        )
        duration = state()["duration"]
        assert duration > 0

        page.keyboard.press("Home")
        assert state()["time"] == 0
        page.keyboard.press("ArrowRight")
        assert state()["time"] == pytest.approx(min(5, duration), abs=0.05)
        page.keyboard.press("ArrowLeft")
        assert state()["time"] == pytest.approx(max(0, min(5, duration) - 5), abs=0.05)
        page.keyboard.press("End")
        assert state()["time"] == pytest.approx(duration, abs=0.05)

        page.keyboard.press("ArrowDown")
        lower = state()["volume"]
        assert lower < 1
        page.keyboard.press("ArrowUp")
        assert state()["volume"] > lower
        wait_until(
            page,
            f"document.querySelector('{player}').hoituStatus.textContent.startsWith('Âm lượng')",
        )
        page.keyboard.press("m")
        assert state()["muted"]
        page.keyboard.press("k")
        wait_until(page, f"!document.querySelector('{player}').paused")
        assert focus_matches(page, player) and focused(page)["ring"]
        shot(page, f"keyboard-{kind}-after")

        # Tab moves on into the browser's own buttons of the player (play, timeline,
        # volume...) and then out of it, never trapped.
        tab_to(page, f":not({kind})", limit=12)


def test_search_form_and_filters_by_keyboard(demo):
    with serve_project(media=True) as base, chromium() as browser:
        page = new_page(browser, base, user_agent=BROWSER_UA)
        page.goto("/")
        tab_to(page, "header input[name=q]")
        page.keyboard.type("thanh hoa")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert path_of(page) == "/tim-kiem/?q=thanh+hoa"
        assert page.locator(".search-hit").count() > 0

        # The page's own form: select what is there, type another query, Enter.
        tab_to(page, "#search-q")
        page.keyboard.press("Control+A")
        page.keyboard.type("chuyen doi so")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert path_of(page).startswith("/tim-kiem/?q=chuyen+doi+so")
        hits = page.locator(".search-hit").count()
        assert hits > 0

        # A filter (facet link) reached with Tab and followed with Enter narrows the results.
        tab_to(page, ".search-facets a")
        target = focused(page)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert path_of(page) == "/tim-kiem/" + unquote(target["href"]), (page.url, target)
        assert page.locator(".search-facets a[aria-current=true]").count() == 1
        shot(page, "keyboard-search-filtered")
