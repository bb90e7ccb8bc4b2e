"""What a reader's phone downloads: static files as production serves them, compressed
pages, images that neither hold up the first screen nor come larger than shown
(figures in docs/newsroom.md, "Reader pages on a slow link")."""

import gzip
import re

import pytest
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with production's storage (hashed names, gzip beside each file)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STATIC):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_production_collectstatic_succeeds_and_compresses(collected):
    # A vendored file naming a source map that is not shipped made collectstatic fail.
    for name in ("newsroom/player.js", "newsroom/vendor/hls.js/hls.min.js", "css/site.css"):
        stem, ext = name.rsplit(".", 1)
        hashed = list(collected.glob(f"{stem}.*.{ext}"))
        assert hashed, name
        assert hashed[0].with_name(hashed[0].name + ".gz").exists(), name
    assert list(collected.glob("analytics/vendor/chart-4.6.1.umd.min.*.js"))


BROWSER = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 10; K) Chrome/131.0 Mobile Safari/537.36"
}
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br", **BROWSER}


def story_of(access_level, **filters):
    from newsroom.models import StoryPage

    return StoryPage.objects.live().filter(access_level=access_level, **filters).first()


def get(client, page, **extra):
    response = client.get(page.url, HTTP_HOST=page.get_site().hostname, **extra)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_pages_are_gzipped_for_a_browser_that_asks(client, demo):
    story = story_of("free")
    response = get(client, story, **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"] and "Cookie" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert story.title in html
    assert len(response.content) < len(html.encode()) / 2
    # A client that does not ask gets plain HTML.
    assert "Content-Encoding" not in get(client, story, **BROWSER)


@pytest.mark.django_db
def test_compressed_paid_text_stays_private(client, demo):
    from django.contrib.auth import get_user_model

    story = story_of("premium")
    client.force_login(get_user_model().objects.get(username="docgia.thuebao"))
    response = get(client, story, **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert '<div class="paywall-paid">' in gzip.decompress(response.content).decode()
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def img_tags(html):
    return re.findall(r"<img\b[^>]*>", html)


@pytest.mark.django_db
def test_home_lead_image_is_fetched_at_once_the_others_lazily(client, demo):
    from wagtail.models import Site

    home = Site.objects.get(hostname="localhost").root_page.specific
    imgs = img_tags(get(client, home).content.decode())
    assert len(imgs) > 3
    lead, rest = imgs[0], imgs[1:]
    # The lead card is the largest paint of the first screen: lazy would hold it back.
    assert 'fetchpriority="high"' in lead and 'loading="lazy"' not in lead
    assert all('loading="lazy"' in tag for tag in rest)
    for tag in imgs:  # sized boxes: no jump when an image arrives
        assert re.search(r'\bwidth="\d+"', tag) and re.search(r'\bheight="\d+"', tag), tag
        assert "/original_images/" not in tag


@pytest.mark.django_db
def test_live_channel_logo_and_poster_are_small_renditions(client, demo):
    html = client.get("/truc-tiep/ttv/", HTTP_HOST="truyenhinh.localhost").content.decode()
    # The 1200 px original was sent for a 48 px logo and again as the poster.
    assert "/original_images/" not in html
    logo = next(tag for tag in img_tags(html) if 'class="logo"' in tag)
    assert "fill-96x96" in logo and 'width="48"' in logo and 'height="48"' in logo
    poster = re.search(r'<video[^>]*poster="([^"]+)"', html).group(1)
    assert "max-640x360" in poster


def test_every_page_names_an_icon_so_no_favicon_request_404s():
    from django.template.loader import get_template

    source = get_template("base.html").template.source
    assert '<link rel="icon"' in source
