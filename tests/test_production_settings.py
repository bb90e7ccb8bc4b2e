"""Production refuses to start on the repository's public keys (issue 11, audit finding):
a payment secret, the distribution credentials key or SECRET_KEY missing or equal to a
value that ships here stops config.settings.production with an error naming the
variable; with keys of its own, `manage.py check --deploy` starts and passes. The demo
partner key (README) is refused by the sharing API outside the demo."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.secrets_check import SHIPPED_VALUES
from tests.support import production_env

ROOT = Path(__file__).resolve().parents[1]
# What a real deployment sets besides its secrets: gateways' live addresses, HTTPS on.
LIVE = {
    "VNPAY_TMN_CODE": "BAOTH001",
    "VNPAY_PAY_URL": "https://pay.vnpay.vn/vpcpay.html",
    "MOMO_PARTNER_CODE": "MOMOBAOTH",
    "MOMO_ENDPOINT": "https://payment.momo.vn/v2/gateway/api/create",
    "ZALOPAY_APP_ID": "99001",
    "ZALOPAY_ENDPOINT": "https://openapi.zalopay.vn/v2/create",
}


def run_manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def start(env):
    """Imports the production settings in a fresh process, as gunicorn would."""
    code = "import django; django.setup(); print('started')"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("name", sorted(SHIPPED_VALUES))
def test_production_refuses_to_start_without_each_secret(name):
    env = production_env()
    del env[name]
    out = start(env)
    assert out.returncode != 0 and "started" not in out.stdout
    assert "ImproperlyConfigured" in out.stderr
    assert f"{name} must be set in production" in out.stderr


@pytest.mark.parametrize(
    "name,value", sorted((name, v) for name, values in SHIPPED_VALUES.items() for v in values)
)
def test_production_refuses_every_value_that_ships_in_the_repository(name, value):
    out = start(production_env(**{name: value}))
    assert out.returncode != 0 and "started" not in out.stdout
    assert f"{name} is a value published in the Hội Tụ repository" in out.stderr
    assert value not in out.stderr  # the error names the variable, never prints a secret


def test_production_refuses_a_credentials_key_that_is_not_a_fernet_key():
    out = start(production_env(DISTRIBUTION_CREDENTIALS_KEY="mat-khau-tu-dat"))
    assert out.returncode != 0
    assert "DISTRIBUTION_CREDENTIALS_KEY is not a Fernet key" in out.stderr


@pytest.mark.parametrize("value", [None, "", "  "])
def test_production_refuses_to_start_without_trusted_proxies(value):
    """Unset, production behind nginx would take every reader for the proxy: one meter,
    one login lockout and one institutional address for the whole province."""
    env = production_env()
    if value is None:
        del env["TRUSTED_PROXIES"]
    else:
        env["TRUSTED_PROXIES"] = value
    out = start(env)
    assert out.returncode != 0 and "started" not in out.stdout
    assert "ImproperlyConfigured: TRUSTED_PROXIES must be set in production" in out.stderr
    assert "or `none` when readers connect to the app directly" in out.stderr


@pytest.mark.parametrize("value", ["10.0.0.0/33", "127.0.0.1/32,nginx", "10.0.0.1/8;"])
def test_production_refuses_a_malformed_trusted_proxy(value):
    out = start(production_env(TRUSTED_PROXIES=value))
    assert out.returncode != 0 and "started" not in out.stdout
    assert "TRUSTED_PROXIES: " in out.stderr and "is not an IP network" in out.stderr


@pytest.mark.parametrize(
    "value,proxies",
    [("none", []), ("NONE", []), ("127.0.0.1/32, 10.0.0.0/8", ["127.0.0.1/32", " 10.0.0.0/8"])],
)
def test_production_starts_behind_its_proxies_or_with_an_explicit_none(value, proxies):
    code = "import django; django.setup(); from django.conf import settings as s; "
    out = subprocess.run(
        [sys.executable, "-c", code + "print(s.TRUSTED_PROXIES)"],
        cwd=ROOT,
        env=production_env(TRUSTED_PROXIES=value),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == repr(proxies)


def test_the_audit_probe_default_vnpay_secret_in_production_cannot_start():
    """The audit signed a VNPay notification with `hoitu-dev-vnpay-secret` and production
    marked the order paid. Production on that secret no longer starts, so no view of it
    ever verifies a signature with it (the imitation gateways need DEBUG, which production
    forces off)."""
    env = production_env(**LIVE)
    env.pop("VNPAY_HASH_SECRET")
    out = run_manage(env, "check")
    assert out.returncode != 0 and "VNPAY_HASH_SECRET must be set in production" in out.stderr


# The deploy check's findings kept on purpose (docs/security.md): Wagtail's live preview
# frames our own pages (SAMEORIGIN, not DENY); the HSTS preload list is each agency's
# decision (hard to leave), DJANGO_HSTS_PRELOAD=1 turns it on.
DOCUMENTED_EXCEPTIONS = {"security.W019", "security.W021"}


def test_production_with_its_own_keys_starts_and_check_deploy_is_clean():
    out = run_manage(production_env(**LIVE), "check", "--deploy", "--fail-level", "ERROR")
    assert out.returncode == 0, out.stderr[-3000:]
    found = set(re.findall(r"\((\w+\.[EW]\d+)\)", out.stdout + out.stderr))
    assert found == DOCUMENTED_EXCEPTIONS, out.stdout + out.stderr
    preload = run_manage(production_env(**LIVE, DJANGO_HSTS_PRELOAD="1"), "check", "--deploy")
    assert "security.W021" not in preload.stdout + preload.stderr


def _literal_defaults(path: Path) -> set[tuple[str, str]]:
    """(variable, value) for every `os.environ.get("NAME", "literal")`, `SECRET_KEY =
    "literal"` (with or without `SECRET_KEY or`) and `DJANGO_SECRET_KEY="literal"`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and len(node.args) == 2
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
        ):
            found.add((node.args[0].value, node.args[1].value))
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
            "SECRET_KEY"
        ]:
            values = node.value.values if isinstance(node.value, ast.BoolOp) else [node.value]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.add(("DJANGO_SECRET_KEY", value.value))
        if isinstance(node, ast.keyword) and node.arg == "DJANGO_SECRET_KEY":
            if isinstance(node.value, ast.Constant):
                found.add(("DJANGO_SECRET_KEY", node.value.value))
    return found


def test_every_secret_default_in_the_repository_is_on_the_refused_list():
    sources = [*(ROOT / "config" / "settings").glob("*.py"), *(ROOT / "bench").glob("*.py")]
    defaults = set().union(*(_literal_defaults(path) for path in sources))
    guarded = {(name, value) for name, value in defaults if name in SHIPPED_VALUES and value}
    assert ("VNPAY_HASH_SECRET", "hoitu-dev-vnpay-secret") in guarded  # the scan reads base.py
    assert ("DJANGO_SECRET_KEY", "dev-only-not-secret-hoitu") in guarded
    missing = {(name, value) for name, value in guarded if value not in SHIPPED_VALUES[name]}
    assert not missing


@pytest.mark.django_db
def test_the_readme_partner_key_is_refused_outside_the_demo(client, settings, demo):
    from distribution.demo import DEMO_PARTNER_KEY
    from distribution.services import partner_key_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {DEMO_PARTNER_KEY}"}
    settings.HOITU_ALLOW_DEMO = True
    assert client.get("/api/ninjs/v2/items/", **auth).status_code == 200
    settings.HOITU_ALLOW_DEMO = False  # as in production
    response = client.get("/api/ninjs/v2/items/", **auth)
    assert response.status_code == 401 and response.json() == {"error": "unauthorized"}
    _, own = partner_key_create(name="Tạp chí Văn nghệ")
    own_auth = {"HTTP_AUTHORIZATION": f"Bearer {own}"}
    assert client.get("/api/ninjs/v2/items/", **own_auth).status_code == 200


def test_a_celery_worker_started_without_a_settings_module_gets_production():
    """`celery -A config worker` with no DJANGO_SETTINGS_MODULE: production settings (as
    gunicorn's wsgi.py), so a worker never reconciles payments on the public keys."""
    code = "from config.celery import app; print(app.conf.timezone)"
    env = production_env()
    del env["DJANGO_SETTINGS_MODULE"]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0 and "Asia/Ho_Chi_Minh" in out.stdout, out.stderr[-2000:]
    del env["VNPAY_HASH_SECRET"]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0 and "VNPAY_HASH_SECRET must be set in production" in out.stderr


def test_gunicorn_on_config_wsgi_without_a_settings_module_gets_production():
    """`gunicorn config.wsgi` with no DJANGO_SETTINGS_MODULE: config/__init__.py imports
    the Celery app first, whose default used to be dev settings (DEBUG on, the imitation
    gateways' fake payments, the public keys). Now it is production."""
    code = (
        "import config.wsgi; from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG)"
    )
    env = production_env()
    del env["DJANGO_SETTINGS_MODULE"]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.split() == ["config.settings.production", "False"], out.stderr[-2000:]


def test_production_refuses_the_page_cache_refresh_without_a_key_of_its_own():
    from config.secrets_check import page_cache_problems

    assert page_cache_problems({}) == []  # no refresh asked for: nothing to check
    urls = {"HOITU_PAGE_CACHE_REFRESH_URLS": "https://127.0.0.1"}
    (missing,) = page_cache_problems(urls)
    assert missing.startswith("HOITU_PAGE_CACHE_REFRESH_KEY must be set")
    # The placeholder of the shipped nginx site, as copied by someone in a hurry.
    site = (ROOT / "deploy" / "nginx" / "hoitu.conf").read_text()
    placeholder = re.search(r'"1:([^"]+)" 1;', site).group(1)
    (published,) = page_cache_problems({**urls, "HOITU_PAGE_CACHE_REFRESH_KEY": placeholder})
    assert "published in the Hội Tụ repository" in published and placeholder not in published
    assert page_cache_problems({**urls, "HOITU_PAGE_CACHE_REFRESH_KEY": "9f" * 24}) == []
