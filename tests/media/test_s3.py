"""Media on S3-compatible object storage, against moto's S3 server on 127.0.0.1 with the
real boto3 and django-storages: the ffmpeg pipeline reads the original from the bucket
and writes its renditions, HLS ladder and poster there; public images are served by the
bucket; a cut of a paid story only through a presigned redirect given to an entitled
reader; readiness names the storage when the server is gone."""

import io
import re
import urllib.error
import urllib.request

import boto3
import pytest
from django.core.management import call_command
from django.test import Client
from moto.server import ThreadedMotoServer

from config.media_storage import s3_origins, s3_storage
from config.secrets_check import storage_problems
from newsroom.media.access import link_token, signed_url
from newsroom.models import ProcessingStatus, StoryPage
from paywall.access import AccessLevel

from .conftest import read

pytestmark = pytest.mark.django_db

BUCKET = "hoitu-media"
KEYS = {"AWS_ACCESS_KEY_ID": "hoitu-test-s3-key", "AWS_SECRET_ACCESS_KEY": "hoitu-test-s3-secret"}


def _env(endpoint: str) -> dict:
    return {
        "HOITU_MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "ap-southeast-1",
        "AWS_S3_CONNECT_TIMEOUT": "1",
        "AWS_S3_MAX_ATTEMPTS": "1",
        **KEYS,
    }


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="ap-southeast-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
    )
    yield endpoint, client
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    """The default storage is the bucket for this test; returns the boto3 client."""
    endpoint, client = s3_server
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(_env(endpoint))}
    call_command("media_bucket_policy", "--apply", stdout=io.StringIO())
    return client


def keys(client, prefix: str = "") -> set[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def http_get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our test server
        return response.status, response.headers, response.read()


def test_video_is_processed_from_and_into_the_bucket_and_paid_cut_gets_presigned_links(
    bucket, django_capture_on_commit_callbacks, make_asset, media_sources, demo, demo_password
):
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset("clip.mp4", read(media_sources["clip"]), "video")
    asset.refresh_from_db()
    assert asset.processing_status == ProcessingStatus.READY, asset.processing_error
    stored = keys(bucket)
    assert asset.file.name in stored  # the original went to the bucket
    kinds = {r.kind: r for r in asset.renditions.all()}
    assert set(kinds) == {"video_720", "video_360", "hls", "poster"}
    for rendition in kinds.values():
        assert set(rendition.files) <= stored, rendition.kind
        head = bucket.head_object(Bucket=BUCKET, Key=rendition.file.name)
        assert head["CacheControl"] == "private"  # not public: only through the app
        if len(rendition.files) == 1:
            assert head["ContentLength"] == rendition.size
    hls = kinds["hls"]
    assert any(name.endswith(".ts") for name in hls.files)
    assert asset.thumbnail.name in stored
    # The bucket itself refuses anonymous reads of a cut (only the image prefixes are public).
    with pytest.raises(urllib.error.HTTPError) as refused:
        http_get(f"{bucket.meta.endpoint_url}/{BUCKET}/{kinds['video_360'].file.name}")
    assert refused.value.code == 403

    # A free cut: its address is the site's MEDIA_URL path, which the app checks and
    # redirects to a presigned link the bucket answers.
    client = Client()
    segment = next(name for name in hls.files if name.endswith(".ts"))
    assert asset.hls.file.url == "/media/" + hls.file.name
    response = client.get("/media/" + segment)
    assert response.status_code == 302 and "private" in response["Cache-Control"]
    assert "X-Amz-Signature=" in response["Location"]
    status, headers, body = http_get(response["Location"])
    assert status == 200 and headers["Content-Type"] == "video/mp2t" and len(body) > 1000
    # The master playlist is answered by the app: its relative references stay on the site.
    master = client.get("/media/" + hls.file.name)
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert master.content.startswith(b"#EXTM3U")

    # The same cut on a premium story: only an entitled reader's signed link redirects.
    story = StoryPage.objects.live().filter(access_level=AccessLevel.PREMIUM).first()
    StoryPage.objects.filter(pk=story.pk).update(video=asset)
    story.refresh_from_db()
    assert client.get("/media/" + segment).status_code == 404
    assert client.get("/media/" + hls.file.name).status_code == 404
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    subscriber, free_reader = Client(), Client()
    subscriber.force_login(users.get(username="docgia.thuebao"))
    free_reader.force_login(users.get(username="docgia.mienphi"))
    host = story.get_site().hostname
    token = link_token(asset, story, users.get(username="docgia.thuebao"))
    response = subscriber.get(signed_url(token, segment), HTTP_HOST=host)
    assert response.status_code == 302, response.content
    assert "X-Amz-Expires=900" in response["Location"]
    # The Content-Security-Policy lets the player follow it (media-src, connect-src).
    assert response["Location"].startswith(s3_origins(_env(bucket.meta.endpoint_url))[1] + "/")
    assert http_get(response["Location"])[2] == body
    playlist = subscriber.get(signed_url(token, hls.file.name), HTTP_HOST=host)
    assert playlist.status_code == 200 and playlist.content.startswith(b"#EXTM3U")
    refused = free_reader.get(signed_url(token, segment), HTTP_HOST=host)
    assert refused.status_code == 403 and not refused.has_header("Location")
    free_token = link_token(asset, story, users.get(username="docgia.mienphi"))
    refused = free_reader.get(signed_url(free_token, segment), HTTP_HOST=host)
    assert refused.status_code == 403 and not refused.has_header("Location")


def test_image_renditions_are_stored_and_served_by_the_bucket(bucket):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    data = io.BytesIO()
    PILImage.new("RGB", (320, 200), (200, 30, 30)).save(data, "JPEG")
    image = get_image_model()(title="Ảnh thử S3")
    image.file.save("anh-thu.jpg", ImageFile(data, name="anh-thu.jpg"), save=False)
    image.save()
    rendition = image.get_rendition("fill-120x80")
    assert image.file.name in keys(bucket, "original_images/")
    assert rendition.file.name in keys(bucket, "images/")
    # Public: the bucket's own address, unsigned, that anyone (or a CDN) may cache.
    assert re.match(rf"http://127\.0\.0\.1:\d+/{BUCKET}/images/", rendition.url), rendition.url
    assert "Signature" not in rendition.url
    assert rendition.url.startswith(s3_origins(_env(bucket.meta.endpoint_url))[0] + "/")
    status, headers, body = http_get(rendition.url)
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == "public, max-age=86400"
    assert PILImage.open(io.BytesIO(body)).size == (120, 80)


def test_readiness_checks_the_bucket_and_names_it_when_the_server_stops(bucket, settings):
    # The first probe builds the storage's boto3 client (a second or more on a loaded CI
    # machine); the deadline is not what this test is about.
    settings.HOITU_READINESS_TIMEOUT = 15.0
    storage = Client().get("/readyz").json()["checks"]["storage"]
    assert storage["status"] == "ok", storage
    assert keys(bucket, "ops-probe/") == set()  # the probe cleans up after itself
    gone = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    gone.start()
    host, port = gone.get_host_and_port()
    gone.stop()
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(_env(f"http://{host}:{port}"))}
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


def test_production_refuses_s3_without_its_own_keys():
    env = _env("http://127.0.0.1:9000")
    assert (
        storage_problems({**env, "HOITU_MEDIA_STORAGE": "filesystem", "AWS_ACCESS_KEY_ID": ""})
        == []
    )
    problems = storage_problems({**env, "AWS_ACCESS_KEY_ID": "", "AWS_STORAGE_BUCKET_NAME": ""})
    assert problems == [
        "AWS_STORAGE_BUCKET_NAME must be set when HOITU_MEDIA_STORAGE=s3",
        "AWS_ACCESS_KEY_ID must be set when HOITU_MEDIA_STORAGE=s3",
        "AWS_SECRET_ACCESS_KEY is a published value (a storage server's factory account or "
        "a key of the Hội Tụ repository); create an access key of your own for the bucket",
    ]
    minio = storage_problems(
        {**env, "AWS_ACCESS_KEY_ID": "minioadmin", "AWS_SECRET_ACCESS_KEY": "minioadmin"}
    )
    assert len(minio) == 2
    assert (
        storage_problems(
            {**env, "AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s3cr3t-of-ours"}
        )
        == []
    )


def test_backup_archives_the_bucket_and_restores_it_into_an_empty_one(s3_server):
    """manage.py backup/restore's media part on object storage (the database part is the
    restore drill of tests/operations/test_backup.py). Under a key prefix (AWS_LOCATION),
    so only this test's objects are archived."""
    import hashlib

    from django.core.files.base import ContentFile

    from newsroom import backup
    from newsroom.media.storage import MediaS3Storage

    endpoint, client = s3_server
    options = s3_storage({**_env(endpoint), "AWS_LOCATION": "sao-luu"})["OPTIONS"]
    source = MediaS3Storage(**options)
    files = {"media/ban-tin.mp3": b"ID3" + bytes(range(256)) * 64, "documents/lich.pdf": b"%PDF"}
    for name, data in files.items():
        assert source.save(name, ContentFile(data)) == name
    out = io.BytesIO()
    sums = backup._add_media(out, source)
    assert sums == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    assert {"sao-luu/" + name for name in files} <= keys(client, "sao-luu/")

    client.create_bucket(
        Bucket="hoitu-restored", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
    )
    target = MediaS3Storage(**{**options, "bucket_name": "hoitu-restored"})
    assert backup._media_empty(target)
    out.seek(0)
    for _, blocks in backup.read_sections(out):
        backup._restore_media(blocks, target)
    assert not backup._media_empty(target)
    assert backup._wrong_media(sums, target) == []
    # A restored object with other bytes, or a missing one, is named.
    target.delete("documents/lich.pdf")
    assert backup._wrong_media(sums, target) == ["documents/lich.pdf"]
    target.save("documents/lich.pdf", ContentFile(b"%PDF-other"))
    assert backup._wrong_media(sums, target) == ["documents/lich.pdf"]


def test_csp_origins_of_the_storage():
    minio = _env("http://127.0.0.1:9000")
    assert s3_origins(minio) == ("http://127.0.0.1:9000", "http://127.0.0.1:9000")
    behind = {
        **minio,
        "AWS_S3_ENDPOINT_URL": "http://10.0.0.5:9000",
        "HOITU_S3_PUBLIC_ENDPOINT_URL": "https://s3.baothanhhoa.vn",
        "AWS_S3_CUSTOM_DOMAIN": "anh.baothanhhoa.vn",
    }
    assert s3_origins(behind) == ("https://anh.baothanhhoa.vn", "https://s3.baothanhhoa.vn")
    amazon = {"AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_REGION_NAME": "ap-southeast-1"}
    origin = "https://s3.ap-southeast-1.amazonaws.com"
    assert s3_origins(amazon) == (origin, origin)
    virtual = f"https://{BUCKET}.s3.ap-southeast-1.amazonaws.com"
    assert s3_origins({**amazon, "AWS_S3_ADDRESSING_STYLE": "virtual"}) == (virtual, virtual)


def test_settings_on_s3_and_production_refusing_published_keys(monkeypatch):
    """The settings' S3 branch (executed afresh from base.py, in this process: a production
    subprocess costs seconds) and production's refusal of a published key."""
    import importlib
    import importlib.util
    import sys
    from pathlib import Path

    from django.core.exceptions import ImproperlyConfigured

    from tests.support import production_env

    own = {**_env("http://127.0.0.1:9000"), "AWS_ACCESS_KEY_ID": "AKIAHOITU"}
    own["AWS_SECRET_ACCESS_KEY"] = "khoa-rieng-cua-toa-soan"
    for name, value in own.items():
        monkeypatch.setenv(name, value)
    path = Path(__file__).resolve().parents[2] / "config" / "settings" / "base.py"
    spec = importlib.util.spec_from_file_location("hoitu_base_on_s3", path)
    base = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(base)
    assert base.STORAGES["default"]["BACKEND"] == "newsroom.media.storage.MediaS3Storage"
    assert base.STORAGES["default"]["OPTIONS"]["bucket_name"] == BUCKET
    for policy in (base.CONTENT_SECURITY_POLICY, base.HOITU_ADMIN_CSP):
        for directive in ("img-src", "media-src", "connect-src"):
            assert "http://127.0.0.1:9000" in policy["DIRECTIVES"][directive], directive

    # A published key: refused before anything else is set up.
    env = production_env(**{**own, "AWS_SECRET_ACCESS_KEY": "minioadmin"})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        with pytest.raises(ImproperlyConfigured, match="AWS_SECRET_ACCESS_KEY is a published"):
            importlib.import_module("config.settings.production")
    finally:
        sys.modules.pop("config.settings.production", None)
