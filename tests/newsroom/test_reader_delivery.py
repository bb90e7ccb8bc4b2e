"""What a reader's phone downloads: static files as production serves them, compressed
pages, images that neither hold up the first screen nor come larger than shown
(figures in docs/newsroom.md, "Reader pages on a slow link")."""

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

