"""Media on S3-compatible object storage (`HOITU_MEDIA_STORAGE=s3`, docs/media.md): Amazon
S3, MinIO, or a Vietnamese provider's object storage (Viettel, VNPT, FPT), through
django-storages, so several web and worker machines share originals, renditions, HLS
and images.

The bucket stays private except the image prefixes (`HOITU_S3_PUBLIC_PREFIXES`, opened
to anonymous reads by `manage.py media_bucket_policy --apply`): their URLs are the
bucket's (or the CDN's, `AWS_S3_CUSTOM_DOMAIN`), unsigned, cacheable. Every other file
(audio/video originals, renditions, HLS, documents) has the site's MEDIA_URL path as its
URL: the app checks it (a cut of a paid story is refused there, `newsroom.media.files`)
and answers a short-lived presigned redirect to the bucket, or the playlist text itself
for an HLS playlist, so its relative references stay under the checked address."""

from __future__ import annotations

import mimetypes
import posixpath
import threading

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
}


def content_type(name: str) -> str:
    """The type a media file is served (and stored) with; `.ts` is a video segment here,
    not the TypeScript or Qt file some systems' mime tables say."""
    extension = posixpath.splitext(name)[1].lower()
    return (
        CONTENT_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )


def is_public_name(name: str) -> bool:
    name = name.lstrip("/")
    return any(name.startswith(prefix) for prefix in settings.HOITU_S3_PUBLIC_PREFIXES)


class MediaS3Storage(S3Storage):
    """S3Storage with the project's split between public images and checked files."""

    # Never write over an object readers may be fetching: a taken name gets a suffix.
    file_overwrite = False
    # Public URLs are unsigned; checked files are signed by `signed_url` only.
    querystring_auth = False
    default_acl = None

    def __init__(self, **options):
        self.public_endpoint_url = options.pop("public_endpoint_url", None)
        super().__init__(**options)
        self._signing = threading.local()
        self._lock = threading.Lock()
        self._probe_client = None

    def __getstate__(self):
        state = super().__getstate__()
        for name in ("_signing", "_lock", "_probe_client"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._signing = threading.local()
        self._lock = threading.Lock()
        self._probe_client = None

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        params.setdefault("ContentType", content_type(name))
        if is_public_name(name):
            params.setdefault("CacheControl", "public, max-age=86400")
        else:
            params.setdefault("CacheControl", "private")
        return params

    def url(self, name, parameters=None, expire=None, http_method=None):
        if is_public_name(name):
            return super().url(name, parameters, expire, http_method)
        return settings.MEDIA_URL + filepath_to_uri(clean_name(name).lstrip("/"))

    def _shared_client(self):
        """One thread-safe client for short-lived threads (the readiness probe's): the
        storage's own connection is per thread and costs a boto3 session to build."""
        with self._lock:
            if self._probe_client is None:
                self._probe_client = self._create_session().client(
                    "s3",
                    region_name=self.region_name,
                    use_ssl=self.use_ssl,
                    endpoint_url=self.endpoint_url,
                    config=self.client_config,
                    verify=self.verify,
                )
            return self._probe_client

    def probe(self, name: str, data: bytes) -> None:
        """Writes, reads back and deletes one small object (readiness, config/health.py)."""
        client = self._shared_client()
        key = self._normalize_name(clean_name(name))
        client.put_object(Bucket=self.bucket_name, Key=key, Body=data)
        try:
            body = client.get_object(Bucket=self.bucket_name, Key=key)["Body"].read()
            if body != data:
                raise RuntimeError("storage returned other bytes than were written")
        finally:
            client.delete_object(Bucket=self.bucket_name, Key=key)

    def list_all(self):
        """(name, size, modified timestamp) of every object under the storage's location
        (manage.py backup)."""
        prefix = self.location.strip("/")
        prefix = f"{prefix}/" if prefix else ""
        for summary in self.bucket.objects.filter(Prefix=prefix):
            name = summary.key[len(prefix) :]
            if name and not name.endswith("/"):
                yield name, summary.size, summary.last_modified.timestamp()

    def _signing_client(self):
        """The client that signs readers' links: one for the public endpoint when the app
        reaches the storage at another address than readers do (the host is signed)."""
        if not self.public_endpoint_url:
            return self.connection.meta.client
        client = getattr(self._signing, "client", None)
        if client is None:
            client = self._signing.client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
            )
        return client

    def signed_url(self, name: str, expire: int) -> str:
        """A presigned GET of one object, valid `expire` seconds, with the content type
        the player expects."""
        key = self._normalize_name(clean_name(name))
        return self._signing_client().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket_name,
                "Key": key,
                "ResponseContentType": content_type(name),
            },
            ExpiresIn=expire,
        )


def public_read_policy(storage: MediaS3Storage) -> dict:
    """The bucket policy that lets anyone read the public prefixes and nothing else (S3's
    policy language, which MinIO and the S3-compatible providers accept)."""
    location = storage.location.strip("/")
    prefixes = [f"{location}/{p}" if location else p for p in settings.HOITU_S3_PUBLIC_PREFIXES]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "HoiTuPublicImages",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{storage.bucket_name}/{p}*" for p in prefixes],
            }
        ],
    }


def remote_storage():
    """The default storage when it is the object storage, else None."""
    # A LazyObject answers isinstance for the storage it wraps.
    return default_storage if isinstance(default_storage, MediaS3Storage) else None


def media_target():
    """Where the site's media are: the object storage, or the MEDIA_ROOT directory
    (manage.py backup and restore)."""
    from pathlib import Path

    return remote_storage() or Path(settings.MEDIA_ROOT)
