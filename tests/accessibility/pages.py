"""The reader pages axe-core checks, in one place: add a page here and the accessibility
tests check it on every outlet, at phone and desktop size.

A value is a path, or a function of the outlet's Wagtail `Site` that returns one (a page
of the demo content) or None when the outlet has no such page (a magazine has no radio
story). Pages a reader sees only when logged in go in LOGGED_IN_PAGES.
"""

from urllib.parse import quote


def _stories(site, **filters):
    from newsroom.models import StoryPage

    return (
        StoryPage.objects.live()
        .filter(url_path__startswith=site.root_page.url_path, **filters)
        .order_by("-first_published_at", "pk")
    )


def _path(page):
    return page.get_url_parts()[2] if page is not None else None


def section(site):
    from newsroom.models import SectionPage

    sections = SectionPage.objects.live().child_of(site.root_page).in_menu()
    return _path(sections.first())


def story(primary_format, **filters):
    def find(site):
        return _path(_stories(site, primary_format=primary_format, **filters).first())

    find.__name__ = f"story_{primary_format}"
    return find


def premium_wall(site):
    """A premium story as an anonymous reader sees it: the paywall box."""
    return _path(_stories(site, access_level="premium").first())


def broadcast(path):
    """A page only a broadcaster's outlet has (its channels, live and on schedule)."""

    def find(site):
        from newsroom.models import Outlet

        return path if Outlet.objects.filter(site=site, kind="broadcast").exists() else None

    find.__name__ = f"broadcast_{path.strip('/')}"
    return find


PAGES = {
    "home": "/",
    "section": section,
    "story-text": story("text", access_level="free"),
    "story-radio": story("radio", audio__isnull=False),
    "story-tv": story("tv", video__isnull=False),
    "paywall": premium_wall,
    "search": "/tim-kiem/?q=" + quote("Thanh Hóa"),
    "plans": "/goi-cuoc/",
    "login": "/tai-khoan/dang-nhap/",
    "signup": "/tai-khoan/dang-ky/",
    "newsletters": "/ban-tin/",
    "offline": "/ngoai-tuyen/",
    "live": broadcast("/truc-tiep/"),
    "schedule": broadcast("/lich-phat-song/"),
}

LOGGED_IN_PAGES = {
    "account": "/tai-khoan/",
    "story-radio": story("radio", audio__isnull=False),
    "story-tv": story("tv", video__isnull=False),
    "plans": "/goi-cuoc/",
}

# The demo reader the logged-in pages are seen as (a subscriber: players, gift form).
READER = "docgia.thuebao"


def outlet_urls(base_url, site, pages):
    """(name, absolute url) of each page the outlet has, on the outlet's own host."""
    origin = base_url.replace("//localhost", f"//{site.hostname}", 1)
    for name, page in pages.items():
        path = page(site) if callable(page) else page
        if path:
            yield name, origin + path
