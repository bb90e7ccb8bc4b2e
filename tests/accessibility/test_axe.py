"""axe-core finds no serious or critical violation on the reader pages of every outlet
(tests/accessibility/pages.py), at phone and desktop size, logged out and, for the
account pages, logged in as a subscriber. One browser; each outlet on its own host."""

import json
import os

import pytest

from tests.browser import SCREENSHOT_DIR, chromium, new_page, shot

from ..paywall.conftest import BROWSER_UA
from ..paywall.server import serve_project
from .axe import axe_run, describe, failing
from .pages import LOGGED_IN_PAGES, PAGES, READER, outlet_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def outlets():
    from newsroom.models import Outlet

    return [o.site for o in Outlet.objects.select_related("site__root_page").order_by("pk")]


def check(page, urls, size, report):
    problems = []
    for where, url in urls:
        response = page.goto(url)
        assert response.status == 200, (where, url, response.status)
        page.wait_for_load_state("load")
        violations = axe_run(page)
        report[f"{size} {where}"] = [
            {"id": v["id"], "impact": v["impact"], "targets": [n["target"] for n in v["nodes"]]}
            for v in violations
        ]
        problems += describe(f"{size} {where}", failing(violations))
        shot(page, f"a11y-{size}-{where}")
    return problems


def write_report(name, report):
    with open(os.path.join(SCREENSHOT_DIR, f"hoitu-a11y-{name}.json"), "w") as f:
        json.dump(report, f, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_reader_pages_have_no_serious_violation(demo, size):
    report = {}
    with serve_project(media=True) as base, chromium() as browser:
        page = new_page(browser, base, phone=size == "phone", user_agent=BROWSER_UA)
        urls = [
            (f"{site.hostname} {name}", url)
            for site in outlets()
            for name, url in outlet_urls(base, site, PAGES)
        ]
        problems = check(page, urls, size, report)
    write_report(size, report)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_account_pages_logged_in_have_no_serious_violation(demo, demo_password, size):
    report = {}
    with serve_project(media=True) as base, chromium() as browser:
        problems = []
        for site in outlets():
            origin = base.replace("//localhost", f"//{site.hostname}", 1)
            page = new_page(browser, origin, phone=size == "phone", user_agent=BROWSER_UA)
            page.goto("/tai-khoan/dang-nhap/")
            page.fill("main input[name=username]", READER)
            page.fill("main input[name=password]", demo_password)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            urls = [
                (f"{site.hostname} {name} (logged in)", url)
                for name, url in outlet_urls(base, site, LOGGED_IN_PAGES)
            ]
            problems += check(page, urls, size, report)
    write_report(f"{size}-logged-in", report)
    assert not problems, "\n".join(problems)


BROKEN = """<!DOCTYPE html><html><head><title>Trang hỏng</title></head><body><main>
<h1>Tin bài</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" name="q">
<p style="color:#bbb;background:#fff">Chữ mờ khó đọc</p>
<a href="/x"></a>
</main></body></html>"""


def test_the_checks_fail_a_page_that_breaks_the_rules():
    """The harness is not blind: axe reports the missing alt, label, link name and lang,
    and the low contrast of this page; a focus ring taken away fails the keyboard walk."""
    from .keyboard import tab_to

    with chromium() as browser:
        page = new_page(browser, "http://127.0.0.1")
        page.set_content(BROKEN)
        found = {v["id"]: v["impact"] for v in failing(axe_run(page))}
        assert {"image-alt", "label", "link-name", "html-has-lang", "color-contrast"} <= set(found)
        page.set_content(
            "<!DOCTYPE html><html lang=vi><body><a href='#a'>Một</a> <a href='#b'>Hai</a>"
            "<style>a:focus-visible{outline:none}</style></body></html>"
        )
        with pytest.raises(AssertionError, match="focus not visible"):
            tab_to(page, "a[href='#b']")
