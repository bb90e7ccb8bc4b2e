"""The reader site under its Content-Security-Policy in Debian's Chromium at phone size:
home, a free story, a metered story (meter bar), the premium wall, search, sign-up,
login and the plans page report no CSP violation (console and securitypolicyviolation
events), and their scripts still work: the analytics beacon fires, players start on
play (hls.js through blob: media)."""

import pytest

from tests.browser import chromium, new_page, shot

from .paywall.conftest import BROWSER_UA
from .paywall.server import serve_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Injected by the browser itself (not subject to the page's CSP): every violation event.
LISTEN = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));"""


NO_NATIVE_HLS = """const canPlay = HTMLMediaElement.prototype.canPlayType;
HTMLMediaElement.prototype.canPlayType = function (type) {
  return /mpegurl/i.test(type) ? "" : canPlay.call(this, type);
};"""


def watch(page):
    seen = {"console": [], "beacons": []}
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda m: (
            seen["console"].append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on(
        "request",
        lambda r: seen["beacons"].append(r.post_data or "") if "/a/collect" in r.url else None,
    )
    return seen


def assert_clean(page, seen, where):
    violations = page.evaluate("window.__csp")
    csp_console = [t for t in seen["console"] if "Content Security Policy" in t]
    assert violations == [] and csp_console == [], (where, violations, csp_console)


def visit(page, seen, path, where):
    response = page.goto(path)
    assert response.status == 200, (where, response.status)
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert_clean(page, seen, where)
    return response


def test_reader_pages_run_under_the_csp_without_a_violation(demo):
    from newsroom.models import StoryPage
    from paywall.access import AccessLevel

    paper = StoryPage.objects.live().first().get_site()
    stories = StoryPage.objects.live().filter(url_path__startswith=paper.root_page.url_path)
    free = stories.filter(access_level=AccessLevel.FREE).first()
    metered = stories.filter(access_level=AccessLevel.METERED).order_by("pk").first()
    premium = stories.filter(access_level=AccessLevel.PREMIUM).first()
    paths = {
        kind: s.get_url_parts()[2]
        for kind, s in {"free": free, "metered": metered, "premium": premium}.items()
    }
    video = StoryPage.objects.live().filter(video__isnull=False).first()
    video_site = video.get_site().hostname
    video_path = video.get_url_parts()[2]

    with serve_project(media=True) as base, chromium() as browser:
        page = new_page(browser, base, phone=True, user_agent=BROWSER_UA)
        seen = watch(page)

        visit(page, seen, "/", "home")
        shot(page, "csp-home")

        visit(page, seen, paths["free"], "free story")
        # The deferred beacon's page view, sent as the page loads (sendBeacon's body is
        # not shown to Playwright: the request itself is the proof).
        assert seen["beacons"], "the analytics beacon did not fire on a story"

        visit(page, seen, paths["metered"], "metered story")
        assert page.locator(".meter-bar").is_visible()
        assert "bài miễn phí" in page.locator(".meter-bar").inner_text()
        shot(page, "csp-metered")

        visit(page, seen, paths["premium"], "premium wall")
        assert page.locator(".paywall-wall").is_visible()
        shot(page, "csp-wall")

        for path, where in [
            ("/tim-kiem/?q=Thanh+H%C3%B3a", "search"),
            ("/tai-khoan/dang-ky/", "sign-up"),
            ("/tai-khoan/dang-nhap/", "login"),
            ("/goi-cuoc/", "plans"),
        ]:
            visit(page, seen, path, where)
        assert page.locator("main form").count() >= 1  # the plans' payment choice
        shot(page, "csp-plans")

        # Players start on play: this Chromium plays HLS natively; a browser without
        # native HLS (made so by the init script) fetches hls.js, which feeds the video
        # through MediaSource (blob:), both under the CSP.
        tv = base.replace("localhost", video_site)
        for native in (True, False):
            reader = new_page(browser, base, phone=True, user_agent=BROWSER_UA)
            seen = watch(reader)
            if not native:
                reader.add_init_script(NO_NATIVE_HLS)
            play(reader, seen, tv + video_path, "hls.js" if not native else "native")
            shot(reader, f"csp-video-{'native' if native else 'hlsjs'}")


def play(page, seen, url, engine):
    visit(page, seen, url, f"video story ({engine})")
    beacons_before_play = len(seen["beacons"])
    page.locator("video[data-player]").scroll_into_view_if_needed()
    # Muted, as a browser lets a page start it: player.js's own play handler (pause,
    # fetch hls.js, play again) then runs as on a reader's tap.
    page.evaluate(
        "const v = document.querySelector('video[data-player]');"
        "v.muted = true; v.play().catch(() => {});"
    )
    # Polled from here: wait_for_function would itself evaluate a string in the page,
    # which this very CSP refuses ('unsafe-eval').
    for _ in range(300):
        if page.evaluate("document.querySelector('video[data-player]').currentTime") > 0.5:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.querySelector('video[data-player]').currentTime") > 0.5
    assert page.evaluate("document.querySelector('video[data-player]').dataset.engine") == engine
    assert_clean(page, seen, f"video playing ({engine})")
    page.wait_for_timeout(500)
    assert len(seen["beacons"]) > beacons_before_play  # the beacon's media_play


def test_the_wagtail_admin_runs_under_its_looser_policy(demo, demo_password):
    """The admin keeps inline script and style (HOITU_ADMIN_CSP), nothing else: the page
    editor, its live preview (a frame of our own page) and the media library load with no
    violation."""
    from newsroom.models import StoryPage

    story = StoryPage.objects.live().filter(video__isnull=False).first()
    with serve_project(media=True) as base, chromium() as browser:
        page = new_page(browser, base)
        seen = watch(page)
        page.goto("/admin/login/")
        page.fill("#id_username", "quantri")
        page.fill("#id_password", demo_password)
        page.click("form button[type=submit]")
        page.wait_for_url("**/admin/")
        for path in (
            "/admin/",
            f"/admin/pages/{story.pk}/edit/",
            "/admin/media/",
            "/admin/images/",
        ):
            response = page.goto(path)
            assert response.status == 200, path
            assert "'unsafe-inline'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            assert_clean(page, seen, path)
        page.goto(f"/admin/pages/{story.pk}/edit/")
        page.locator("[data-side-panel-toggle=preview]").first.click()
        page.frame_locator("iframe").first.locator("h1").first.wait_for()
        page.wait_for_load_state("networkidle")
        shot(page, "csp-admin-preview")
        assert_clean(page, seen, "live preview")
