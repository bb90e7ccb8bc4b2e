"""The object-storage entry of STORAGES, from the environment (HOITU_MEDIA_STORAGE=s3;
docs/deploy.md "Media on S3-compatible storage"). A function, so tests build the same
entry for their S3-compatible server on 127.0.0.1."""

from botocore.config import Config


def s3_storage(environ) -> dict:
    return {
        "BACKEND": "newsroom.media.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "access_key": environ.get("AWS_ACCESS_KEY_ID", ""),
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY", ""),
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            # Public images' URLs on a CDN or the bucket's own domain (no scheme).
            "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "url_protocol": environ.get("AWS_S3_URL_PROTOCOL", "https:"),
            "location": environ.get("AWS_LOCATION", ""),
            # Readers' presigned links name this host when the app reaches the storage at
            # a private address (http://10.0.0.5:9000 inside, https://s3.example.vn out).
            "public_endpoint_url": environ.get("HOITU_S3_PUBLIC_ENDPOINT_URL") or None,
            # A storage that is down is an error within seconds, not a 60 s hang per call.
            "client_config": Config(
                connect_timeout=float(environ.get("AWS_S3_CONNECT_TIMEOUT", "3")),
                read_timeout=float(environ.get("AWS_S3_READ_TIMEOUT", "30")),
                retries={"max_attempts": int(environ.get("AWS_S3_MAX_ATTEMPTS", "3"))},
                signature_version="s3v4",
                # MinIO and most Vietnamese providers want path-style addresses.
                s3={"addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE", "path")},
            ),
        },
    }


def s3_origins(environ) -> tuple[str, str]:
    """(origin of public image URLs, origin of presigned links) for the Content-Security-
    Policy: readers' browsers fetch images, posters, video and HLS segments there."""
    from urllib.parse import urlsplit

    region = environ.get("AWS_S3_REGION_NAME") or "us-east-1"
    endpoint = environ.get("AWS_S3_ENDPOINT_URL") or f"https://s3.{region}.amazonaws.com"
    signing = environ.get("HOITU_S3_PUBLIC_ENDPOINT_URL") or endpoint
    parts = urlsplit(signing)
    host = parts.netloc
    if environ.get("AWS_S3_ADDRESSING_STYLE", "path") == "virtual":
        host = f"{environ.get('AWS_STORAGE_BUCKET_NAME', '')}.{host}"
    signed = f"{parts.scheme}://{host}"
    domain = environ.get("AWS_S3_CUSTOM_DOMAIN")
    if domain:
        scheme = environ.get("AWS_S3_URL_PROTOCOL", "https:")
        public = f"{scheme}//{domain.split('/', 1)[0]}"
    else:
        parts = urlsplit(endpoint)
        public = f"{parts.scheme}://{parts.netloc}"
        if environ.get("AWS_S3_ADDRESSING_STYLE", "path") == "virtual":
            public = f"{parts.scheme}://{environ.get('AWS_STORAGE_BUCKET_NAME', '')}.{parts.netloc}"
    return public, signed
