"""What every browser test shares: Debian's Chromium through Playwright, a staff user at
desktop size, a reader at phone size, and screenshots a person can look at.

    from tests.browser import chromium, staff_page, reader_page, shot

    @pytest.mark.browser
    def test_x(live_server, demo, demo_password):
        with chromium() as browser:
            page = staff_page(browser, live_server.url, "phongvien.baothanhhoa", demo_password)
            ...
            shot(page, "reporter-editor")

`chromium()` sets DJANGO_ALLOW_ASYNC_UNSAFE for its block: Playwright's sync API runs an
event loop in the test's thread, and the test's own ORM reads stay synchronous. It never
downloads a browser: it drives /usr/bin/chromium.
"""

import asyncio
import contextlib
import os
import re
import tempfile

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
TIMEOUT_MS = 20_000
SCREENSHOT_DIR = os.environ.get("E2E_SCREENSHOT_DIR", tempfile.gettempdir())

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


# One Playwright driver and one Chromium per test process, started by the first browser
# test and stopped when the session ends (conftest.py): each `chromium()` block gets the
# shared browser, and the contexts it opens (their own cookies, storage and cache) are
# closed when it ends. A driver and a browser cost a few seconds to start; the suite has
# two dozen browser tests.
#
# Playwright's sync API marks its event loop as running in this thread between its calls.
# Django then keeps the thread's database connections in another store (asgiref's Local,
# thread_critical): an ORM call inside the block opens a connection of its own, outside
# the test's transaction. The block closes those when it ends (before, they stayed open
# and kept the next test from restoring the demo snapshot), and between blocks the loop
# is not marked running, so the tests' own ORM calls see their usual connection.
_shared = {}


def _start():
    from playwright.sync_api import sync_playwright

    if "playwright" not in _shared:
        manager = sync_playwright()
        _shared["playwright"] = manager.start()
        _shared["manager"] = manager
        _shared["loop"] = asyncio._get_running_loop()  # Playwright's, marked running
    else:
        asyncio._set_running_loop(_shared["loop"])
    return _shared["playwright"]


def _release():
    """The end of a block: the connections opened in it closed, the loop unmarked."""
    from django.db import connections

    try:
        connections.close_all()
    finally:
        asyncio._set_running_loop(None)


def close_shared_browser():
    """Stops the process's browser and Playwright driver (the end of the session)."""
    if "playwright" not in _shared:
        return
    _start()
    browser = _shared.pop("browser", None)
    if browser is not None and browser.is_connected():
        browser.close()
    manager = _shared.pop("manager")
    _shared.clear()
    manager.__exit__(None, None, None)
    asyncio._set_running_loop(None)


@contextlib.contextmanager
def chromium(**launch_options):
    """The shared browser, or one of its own when launch options are given (closed when
    the block ends)."""
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        playwright = _start()
        try:
            if launch_options:
                options = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS} | launch_options
                browser = own = playwright.chromium.launch(**options)
            else:
                own = None
                browser = _shared.get("browser")
                if browser is None or not browser.is_connected():
                    browser = _shared["browser"] = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS
                    )
            before = set(browser.contexts)
            try:
                yield browser
            finally:
                if own is not None:
                    own.close()
                elif browser.is_connected():
                    for context in browser.contexts:
                        if context not in before:
                            context.close()
        finally:
            _release()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


def new_page(browser, base_url, *, phone=False, **context_options):
    """A fresh context (no cookies) in Vietnamese, at desktop or phone size."""
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "base_url": base_url}
    if phone:
        options |= {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    else:
        options |= {"viewport": DESKTOP}
    context = browser.new_context(**(options | context_options))
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def staff_page(browser, base_url, username, password):
    """A staff member logged in to the admin through its login form, at desktop size."""
    page = new_page(browser, base_url)
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def reader_page(browser, base_url, username=None, password=None):
    """A reader at phone size; logged in through the reader login form when named."""
    page = new_page(browser, base_url, phone=True)
    if username:
        page.goto("/tai-khoan/dang-nhap/")
        page.fill("main input[name=username]", username)
        page.fill("main input[name=password]", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    return page


def shot(page, name):
    """Saves a full-page screenshot under E2E_SCREENSHOT_DIR and returns its path."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = os.path.join(SCREENSHOT_DIR, f"hoitu-{safe}.png")
    page.screenshot(path=path, full_page=True)
    return path


def footer_action(page, selector="footer button.action-save"):
    """Clicks an item of the page editor's footer action menu, opening its dropdown
    first when the item is not the default button (which item is the default depends on
    the role: a reporter's is "Gửi biên tập", "Lưu nháp" sits in the dropdown)."""
    from playwright.sync_api import expect

    item = page.locator(selector).first
    if not item.is_visible():
        page.locator("footer .w-dropdown-button .w-dropdown__toggle").first.click()
    expect(item).to_be_visible()
    item.click()


def save_draft(page):
    """ "Lưu nháp" from the editor's footer, then waits for the page Wagtail answers with."""
    with page.expect_navigation():
        footer_action(page, "footer button.action-save")


def wait_until(page, expression, timeout_ms=TIMEOUT_MS):
    """Waits until `expression` is truthy in the page, polled from here: Playwright's
    wait_for_function evaluates a string inside the page, which the reader site's
    Content-Security-Policy refuses (no 'unsafe-eval')."""
    for _ in range(max(1, timeout_ms // 100)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    assert page.evaluate(expression), f"never true: {expression}"
