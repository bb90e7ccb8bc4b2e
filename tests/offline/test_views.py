"""The installable app of each outlet: manifest and icons per site, the worker's address
and headers, the offline page, the list of stories the worker may keep for a reader, the
X-Hoitu-Offline marks on pages and the wipe at log-out."""

import io
import json

import pytest
from django.test import Client, override_settings
from PIL import Image
from wagtail.models import Site

from newsroom.models import HomePage, SectionPage, StoryPage
from paywall.access import AccessLevel

from ..paywall.conftest import BROWSER_UA, paid_snippets

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_USER_AGENT=BROWSER_UA)


def site_stories(site):
    return StoryPage.objects.live().filter(url_path__startswith=site.root_page.url_path)


def path_of(page):
    return page.get_url_parts()[2]


def login(client, username, demo_password):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


def test_each_outlet_has_its_own_manifest_and_icons(demo, client):
    names = set()
    for site in Site.objects.all():
        response = client.get("/manifest.webmanifest", HTTP_HOST=site.hostname)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/manifest+json"
        manifest = json.loads(response.content)
        assert manifest["name"] == site.outlet.name
        assert manifest["lang"] == "vi"
        assert manifest["start_url"] == "/" and manifest["scope"] == "/"
        assert manifest["display"] == "standalone"
        assert manifest["theme_color"].startswith("#")
        names.add(manifest["name"])
        sizes = {}
        for icon in manifest["icons"]:
            png = client.get(icon["src"], HTTP_HOST=site.hostname)
            assert png.status_code == 200 and png["Content-Type"] == "image/png"
            image = Image.open(io.BytesIO(png.content))
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.setdefault(icon.get("purpose", "any"), set()).add(image.width)
        assert sizes == {"any": {192, 512}, "maskable": {512}}
    assert len(names) == Site.objects.count()  # one app per outlet


def test_an_unknown_icon_size_is_a_404(demo, client):
    assert client.get("/ung-dung/bieu-tuong-64.png").status_code == 404


def test_reader_pages_link_the_manifest_and_the_worker_script(demo, client):
    html = client.get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert "offline/offline.js" in html and 'data-sw="/sw.js"' in html
    assert 'href="/ngoai-tuyen/">Đọc ngoại tuyến' in html


def test_the_worker_is_served_from_the_root_never_kept_by_a_cache(demo, client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert "importScripts(" in body and "__HOITU_SW_VERSION__" not in body
    assert '"offlinePage": "/ngoai-tuyen/"' in body
    # The push app's handlers (push/static/push/sw-push.js) come in by the setting.
    assert 'const IMPORTS = ["/static/push/sw-push.js"];' in body


@override_settings(HOITU_SERVICE_WORKER_IMPORTS=["push/push-sw.js"])
def test_the_worker_imports_the_scripts_of_the_setting(demo, client):
    body = client.get("/sw.js").content.decode()
    assert 'const IMPORTS = ["/static/push/push-sw.js"];' in body


def test_a_new_import_makes_a_new_worker_version(demo, client):
    import re

    def version():
        return re.search(r'const VERSION = "(\w+)"', client.get("/sw.js").content.decode())[1]

    before = version()
    with override_settings(HOITU_SERVICE_WORKER_IMPORTS=["push/push-sw.js"]):
        assert version() != before
    assert version() == before


def test_the_offline_page_is_public_and_lists_nothing_on_the_server(demo, client):
    response = client.get("/ngoai-tuyen/")
    assert response.status_code == 200
    assert response["X-Hoitu-Offline"] == "public"
    assert "public" in response["Cache-Control"]
    html = response.content.decode()
    assert "<h1>Đọc ngoại tuyến</h1>" in html and "data-offline-saved" in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_pages_say_what_the_worker_may_keep(demo, client, demo_password):
    site = Site.objects.get(is_default_site=True)
    stories = site_stories(site)
    free = stories.filter(access_level=AccessLevel.FREE).first()
    premium = stories.filter(access_level=AccessLevel.PREMIUM).first()
    metered = stories.filter(access_level=AccessLevel.METERED).first()
    section = SectionPage.objects.live().descendant_of(site.root_page).first()

    home = client.get("/")
    assert home["X-Hoitu-Offline"] == "public" and home["X-Hoitu-Offline-List"] == "1"
    assert client.get(path_of(section))["X-Hoitu-Offline-List"] == "1"
    assert client.get(path_of(free))["X-Hoitu-Offline"] == "public"
    assert "X-Hoitu-Offline-List" not in client.get(path_of(free))
    # Anonymous: the metered story's full text (under the meter) and the premium teaser
    # are never stored on the device.
    assert client.get(path_of(metered))["X-Hoitu-Offline"] == "never"
    assert client.get(path_of(premium))["X-Hoitu-Offline"] == "never"
    # A logged-in reader's paid story: the private cache, wiped at log-out.
    login(client, "docgia.thuebao", demo_password)
    assert client.get(path_of(premium))["X-Hoitu-Offline"] == "private"
    # Not a page of the site: nothing said, nothing kept.
    assert "X-Hoitu-Offline" not in client.get("/tai-khoan/")
    assert "X-Hoitu-Offline" not in client.get("/khong-co-trang-nay/")


def test_logout_clears_the_site_data(demo, client, demo_password):
    login(client, "docgia.thuebao", demo_password)
    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # Only the log-out: other answers keep the reader's offline copies.
    assert "Clear-Site-Data" not in client.get("/")
    # A reader whose session already ended who presses "Đăng xuất" is wiped too.
    assert client.post("/tai-khoan/dang-xuat/")["Clear-Site-Data"] == '"cache", "storage"'


def list_of(client, path, **extra):
    return client.get("/ngoai-tuyen/danh-sach/", {"trang": path}, **extra)


def test_the_home_list_gives_the_latest_stories_with_phone_size_images(demo, client):
    site = Site.objects.get(is_default_site=True)
    response = list_of(client, "/")
    assert response.status_code == 200
    # Anonymous: free stories only, the same for everyone, so a shared cache may keep it.
    assert "public" in response["Cache-Control"] and "Cookie" in response["Vary"]
    data = response.json()
    assert data["kind"] == "list"
    home = HomePage.objects.get(pk=site.root_page.pk)
    shown = [s.pk for s in home.latest_stories()]
    listed = [s["id"] for s in data["stories"]]
    free_shown = [
        pk for pk in shown if StoryPage.objects.get(pk=pk).access_level == AccessLevel.FREE
    ]
    assert listed[: len(free_shown)] == free_shown
    for story in data["stories"]:
        assert story["store"] == "public"
        assert StoryPage.objects.get(pk=story["id"]).access_level == AccessLevel.FREE
        assert story["url"].startswith("/") and story["title"]
    with_image = [s for s in data["stories"] if s["image"]]
    assert with_image and all(".fill-400x225.format-webp" in s["image"] for s in with_image)


def test_a_section_list_is_its_latest_stories(demo, client):
    site = Site.objects.get(is_default_site=True)
    section = SectionPage.objects.live().descendant_of(site.root_page).first()
    data = list_of(client, path_of(section)).json()
    expected = [
        s.pk
        for s in StoryPage.objects.live().child_of(section).order_by("-first_published_at")[:6]
        if s.access_level == AccessLevel.FREE
    ]
    assert [s["id"] for s in data["stories"]] == expected


def test_paid_stories_are_listed_only_for_an_entitled_reader(demo, client, demo_password):
    site = Site.objects.get(is_default_site=True)
    premium = site_stories(site).filter(access_level=AccessLevel.PREMIUM).first()
    anonymous = list_of(client, path_of(premium))
    assert anonymous.status_code == 403
    assert "đăng nhập" in anonymous.json()["error"]

    login(client, "docgia.mienphi", demo_password)
    assert list_of(client, path_of(premium)).status_code == 403  # no subscription

    login(client, "docgia.thuebao", demo_password)
    entitled = list_of(client, path_of(premium))
    assert entitled.status_code == 200
    assert entitled["Cache-Control"] == "private, no-store"
    (story,) = entitled.json()["stories"]
    assert story["id"] == premium.pk and story["store"] == "private"
    # Asking is not reading: the list never shows the paid text itself.
    for snippet in paid_snippets(premium):
        assert snippet not in entitled.content.decode()


def test_listing_a_metered_story_never_charges_the_meter(demo, client, demo_password):
    from paywall.models import MeterEntry

    site = Site.objects.get(is_default_site=True)
    metered = site_stories(site).filter(access_level=AccessLevel.METERED).first()
    login(client, "docgia.mienphi", demo_password)
    before = MeterEntry.objects.count()
    assert list_of(client, "/").status_code == 200
    assert list_of(client, path_of(metered)).status_code == 403  # not read yet
    assert MeterEntry.objects.count() == before
    assert "hoitu_meter" not in client.cookies


@pytest.mark.parametrize("path", ["", "thoi-su", "/khong-co/", "//evil.example/", "/" + "a" * 600])
def test_a_bad_list_address_is_a_clear_404(demo, client, path):
    response = list_of(client, path)
    assert response.status_code == 404
    assert response.json()["error"] == "Không tìm thấy trang để lưu."


@override_settings(HOITU_OFFLINE_LISTS_PER_MINUTE=3)
def test_the_list_is_rate_limited(demo, client):
    from django.core.cache import cache

    cache.clear()
    codes = [list_of(client, "/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert "quá nhanh" in list_of(client, "/").json()["error"]


def test_a_private_page_names_its_reader_by_a_keyed_hash(demo, client, demo_password, make_reader):
    site = Site.objects.get(is_default_site=True)
    premium = site_stories(site).filter(access_level=AccessLevel.PREMIUM).first()
    assert "X-Hoitu-Reader" not in client.get("/")
    login(client, "docgia.thuebao", demo_password)
    first = client.get(path_of(premium))["X-Hoitu-Reader"]
    assert first == client.get(path_of(premium))["X-Hoitu-Reader"]  # stable per reader
    other = Client(HTTP_USER_AGENT=BROWSER_UA)
    other.force_login(make_reader())
    second = other.get(path_of(premium))["X-Hoitu-Reader"]
    assert len(first) == len(second) == 16 and first != second
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="docgia.thuebao")
    assert str(user.pk) != first and user.username not in first
