"""The secrets production refuses to start without (config/settings/production.py).

Every value below ships in this repository: the gateways' public sandbox credentials that
config/settings/base.py falls back on, and the keys of the dev, test and bench settings.
Anyone can read them, so anyone could sign a VNPay, MoMo or ZaloPay notification with
them and have an order marked paid. tests/test_production_settings.py reads the settings
and bench sources and fails when a default appears there that is missing from this list.
"""

import base64
import binascii
import ipaddress

# Environment variable -> the values of it that ship in the repository.
SHIPPED_VALUES: dict[str, frozenset[str]] = {
    "DJANGO_SECRET_KEY": frozenset(
        {"dev-only-not-secret-hoitu", "test-only-not-secret-hoitu", "bench-only-not-secret"}
    ),
    "VNPAY_HASH_SECRET": frozenset({"hoitu-dev-vnpay-secret"}),
    "MOMO_ACCESS_KEY": frozenset({"F8BBA842ECF85"}),
    "MOMO_SECRET_KEY": frozenset({"K951B6PE1waDMi640xX08PD3vg6EkVlz"}),
    "ZALOPAY_KEY1": frozenset({"PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL"}),
    "ZALOPAY_KEY2": frozenset({"kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz"}),
    # Platform credentials at rest (distribution/crypto.py): without it they would be
    # encrypted with a key derived from SECRET_KEY, and rotating one would rotate both.
    "DISTRIBUTION_CREDENTIALS_KEY": frozenset(),
}


def _fernet_problem(value: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        return (
            "is not a Fernet key (32 bytes, url-safe base64); make one with "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`'
        )
    return ""


def _unset_or_published(environ, shipped_values, missing: str, published: str):
    """(name, value, problem) per variable: problem names it when missing or published."""
    for name, shipped in shipped_values.items():
        value = (environ.get(name) or "").strip()
        if not value:
            yield name, value, f"{name} {missing}"
        elif value in shipped:
            yield name, value, f"{name} {published}"
        else:
            yield name, value, ""


def secret_problems(environ) -> list[str]:
    """One English sentence per secret that is missing, blank or a repository value."""
    problems = []
    for name, value, problem in _unset_or_published(
        environ,
        SHIPPED_VALUES,
        "must be set in production",
        "is a value published in the Hội Tụ repository; set a secret of your own (from the "
        "gateway's merchant portal, or generated) in production",
    ):
        if problem:
            problems.append(problem)
        elif name == "DISTRIBUTION_CREDENTIALS_KEY" and (problem := _fernet_problem(value)):
            problems.append(f"{name} {problem}")
    return problems


def proxy_problems(environ) -> list[str]:
    """TRUSTED_PROXIES must say where the site's reverse proxies are, or `none`: unset,
    production behind nginx would see every reader at the proxy's address (one meter,
    one lockout and one institutional address for all), with no error anywhere."""
    value = (environ.get("TRUSTED_PROXIES") or "").strip()
    if not value:
        return [
            "TRUSTED_PROXIES must be set in production: the CIDRs of the site's own reverse "
            "proxies, comma-separated (e.g. 127.0.0.1/32 for nginx on the same machine), "
            "or `none` when readers connect to the app directly"
        ]
    if value.lower() == "none":
        return []
    problems = []
    for cidr in value.split(","):
        try:
            ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            problems.append(
                f"TRUSTED_PROXIES: {cidr.strip()[:64]!r} is not an IP network "
                "(expected CIDRs such as 127.0.0.1/32,10.0.0.0/8, or `none`)"
            )
    return problems


# With media on object storage (HOITU_MEDIA_STORAGE=s3): the access keys that are public
# knowledge (MinIO's factory root account; the keys of this repository's tests and docs).
S3_SHIPPED_VALUES: dict[str, frozenset[str]] = {
    "AWS_ACCESS_KEY_ID": frozenset({"minioadmin", "hoitu-test-s3-key", "testing"}),
    "AWS_SECRET_ACCESS_KEY": frozenset({"minioadmin", "hoitu-test-s3-secret", "testing"}),
}


def storage_problems(environ) -> list[str]:
    """With HOITU_MEDIA_STORAGE=s3: a bucket and keys of the site's own. Anyone holding
    published keys could read every paid cut or replace any file readers are served."""
    if (environ.get("HOITU_MEDIA_STORAGE") or "").strip().lower() != "s3":
        return []
    problems = []
    if not (environ.get("AWS_STORAGE_BUCKET_NAME") or "").strip():
        problems.append("AWS_STORAGE_BUCKET_NAME must be set when HOITU_MEDIA_STORAGE=s3")
    problems += [
        problem
        for _, _, problem in _unset_or_published(
            environ,
            S3_SHIPPED_VALUES,
            "must be set when HOITU_MEDIA_STORAGE=s3",
            "is a published value (a storage server's factory account or a key of the Hội Tụ "
            "repository); create an access key of your own for the bucket",
        )
        if problem
    ]
    return problems


# The page cache's refresh secret (deploy/nginx/hoitu.conf, HOITU_PAGE_CACHE_REFRESH_KEY):
# the placeholder of the shipped nginx site.
REFRESH_KEY_SHIPPED = frozenset({"CHANGE-ME-page-cache-refresh-key"})


def page_cache_problems(environ) -> list[str]:
    """With HOITU_PAGE_CACHE_REFRESH_URLS set, the app asks nginx to refetch a page on
    publish: without a key of the site's own, nginx ignores the request (readers get the old
    page until it expires) or honours a key anyone can read here."""
    if not (environ.get("HOITU_PAGE_CACHE_REFRESH_URLS") or "").strip():
        return []
    key = (environ.get("HOITU_PAGE_CACHE_REFRESH_KEY") or "").strip()
    if not key:
        return [
            "HOITU_PAGE_CACHE_REFRESH_KEY must be set when HOITU_PAGE_CACHE_REFRESH_URLS is: "
            "the same secret as in the nginx site's $hoitu_refresh map"
        ]
    if key in REFRESH_KEY_SHIPPED:
        return [
            "HOITU_PAGE_CACHE_REFRESH_KEY is a value published in the Hội Tụ repository; "
            "generate one (e.g. `openssl rand -hex 24`) and put it in nginx's site too"
        ]
    return []


# Web push (push/, docs/push.md): the development and test VAPID pair of base.py.
VAPID_SHIPPED_VALUES: dict[str, frozenset[str]] = {
    "HOITU_VAPID_PRIVATE_KEY": frozenset({"-ndHIVs4quuuEz-2U7S6ZhA6TO-czKNz7b9SRns9aZg"}),
    "HOITU_VAPID_PUBLIC_KEY": frozenset(
        {"BMAIBOHDZpoIYN1AwYX1HbO8FPPqXU6B59vDGf3-GgIkiSJa4fOAscP8nNApOnF_3dEFCkt8ecwMo4W9cTwuyaQ"}
    ),
}


def push_problems(environ) -> list[str]:
    """With web push on (HOITU_PUSH_ENABLED, the default): a VAPID pair of the site's own.
    With the published pair anyone could send our readers notifications in our name; with
    a pair that does not match, every push service refuses every alert."""
    if (environ.get("HOITU_PUSH_ENABLED") or "1").strip().lower() in ("0", "false", "no", "off"):
        return []
    problems = [
        problem
        for _, _, problem in _unset_or_published(
            environ,
            VAPID_SHIPPED_VALUES,
            "must be set in production while web push is on (HOITU_PUSH_ENABLED=0 turns it "
            "off); make a pair with `manage.py push_vapid_keys`",
            "is the published development key; make a pair of your own with "
            "`manage.py push_vapid_keys`",
        )
        if problem
    ]
    if problems:
        return problems
    from push.keys import public_of

    private = environ["HOITU_VAPID_PRIVATE_KEY"].strip()
    public = environ["HOITU_VAPID_PUBLIC_KEY"].strip()
    try:
        derived = public_of(private)
    except ValueError:
        return [
            "HOITU_VAPID_PRIVATE_KEY is not a VAPID private key (32 bytes, unpadded "
            "base64url); make a pair with `manage.py push_vapid_keys`"
        ]
    if derived != public.rstrip("="):
        return ["HOITU_VAPID_PUBLIC_KEY is not the public key of HOITU_VAPID_PRIVATE_KEY"]
    return []
