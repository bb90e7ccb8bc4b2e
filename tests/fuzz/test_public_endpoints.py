"""Fuzzing every public address: no request from the outside may end in a 5xx.

The addresses come from the URLconf (everything but the staff area under /admin/), so a
new view is fuzzed the day it is added. Hypothesis draws, per address: the path's
parameters (real ids and slugs of the demo, and any number or text the converter lets
through), GET, HEAD or POST, a query string and a form, JSON or raw body whose names are
those the view's module reads plus those of its family (search, APIs, accounts,
gateways), values chosen to break parsers (20-digit numbers, year 1 and 9999, Unicode
digits, NUL, long text, ...), a host of each demo outlet, and for the partner API a
valid key; anonymous or as a signed-in reader.

Deterministic (derandomize: the same examples on every run) and bounded: FUZZ_EXAMPLES
examples per address (default 20), then every hand-parsed API and search parameter alone
with each of the hardest values; about 60 s for the whole file. A longer run by hand:
`FUZZ_EXAMPLES=300 pytest tests/fuzz` (docs/bad-input.md)."""

import json
import os
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# The Wagtail API filters a date-time field on a naive value: Django warns, the answer is right.
pytestmark = pytest.mark.filterwarnings("ignore:DateTimeField .* naive datetime:RuntimeWarning")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
REPO = Path(__file__).resolve().parents[2]
STAFF_PREFIXES = ("admin/",)

# Names each family of public addresses reads, some through constants the harvest below
# cannot see (search filters, Wagtail API parameters, gateway fields). Keyed by route prefix.
FAMILIES = {
    "tim-kiem/": "q page per_page from to year outlet section format tag place sort pham_vi",
    "api/search/": "q page per_page from to year outlet section format tag place sort pham_vi",
    "api/v2/": "offset limit type fields order child_of ancestor_of descendant_of "
    "translation_of locale site id slug title html_path show_in_menus search "
    "search_operator rich_text_format seo_title first_published_at",
    "api/ninjs/": "since page page_size",
    "a/collect": "k p s sec m r",
    "tai-khoan/": "email password password1 password2 username new_password1 new_password2 "
    "old_password full_name province ward next gui-lai code",
    "thanh-toan/": "vnp_Amount vnp_TxnRef vnp_ResponseCode vnp_TransactionStatus "
    "vnp_SecureHash vnp_TransactionNo vnp_PayDate orderId requestId amount resultCode "
    "signature transId data mac type app_trans_id apptransid status action",
}
COMMON_NAMES = "page p next date ngay q id trang qua kenh".split()
_READ_RE = re.compile(
    r"""(?:GET|POST|params|payload|data|answer|query)(?:\.get\(|\[|\.getlist\()\s*["']([\w.-]{1,40})["']"""
)


def _names_read_by(view) -> list[str]:
    """The parameter names the view's own module reads (request.GET.get("x"), params["x"])."""
    module = getattr(view, "__module__", "") or ""
    path = REPO / (module.replace(".", "/") + ".py")
    if not path.is_file():
        return []
    return sorted(set(_READ_RE.findall(path.read_text())))


_GET_RE = re.compile(r"""GET(?:\.get\(|\[|\.getlist\()\s*["']([\w.-]{1,40})["']""")
# Families whose query parameters come through constants (not a literal GET.get("x")).
GET_FAMILIES = ("tim-kiem/", "api/search/", "api/ninjs/", "api/v2/")


def _query_names_for(parts, view) -> list[str]:
    """The query-string names this address reads: for the one-at-a-time sweep."""
    route = "".join(str(p) for p in parts).replace("^", "")
    module = REPO / ((getattr(view, "__module__", "") or "").replace(".", "/") + ".py")
    names = set(_GET_RE.findall(module.read_text())) if module.is_file() else set()
    names |= set(getattr(view, "known_query_parameters", ())) | {"trang", "qua", "page", "p"}
    for prefix in GET_FAMILIES:
        if route.startswith(prefix):
            names |= set(FAMILIES[prefix].split())
    return sorted(names)


def _names_for(parts, view) -> list[str]:
    """The names this address reads: its family's, its module's, Wagtail's own list."""
    route = "".join(str(p) for p in parts).replace("^", "")
    names = set(COMMON_NAMES) | set(_names_read_by(view))
    names |= set(getattr(view, "known_query_parameters", ()))
    for prefix, family in FAMILIES.items():
        if route.startswith(prefix):
            names |= set(family.split())
    return sorted(names)


def _walk(patterns, prefix=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + (p.pattern,))
        elif isinstance(p, URLPattern):
            yield prefix + (p.pattern,), p


def public_patterns():
    """(id, parts, view) for every address a reader, a crawler, a partner or a gateway can
    reach: the URLconf minus the staff area."""
    found = []
    for parts, pattern in _walk(get_resolver().url_patterns):
        route = "".join(str(p) for p in parts)
        if route.startswith(STAFF_PREFIXES):
            continue
        view = pattern.callback
        view = getattr(view, "view_class", None) or getattr(view, "cls", None) or view
        found.append(pytest.param(parts, view, id=route))
    return found


# --- values ---------------------------------------------------------------------------

NASTY = [
    "",
    "0",
    "-1",
    "9" * 20,
    "-" + "9" * 20,
    "1" * 5000,
    "1e309",
    "0x10",
    " 1 ",
    "1_000",
    "²",
    "١٩٩٠",
    "NaN",
    "inf",
    "null",
    "true",
    "[]",
    "{}",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2025-02-30",
    "x" * 3000,
    "\x00",
    "a\x00b",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "*",
    "-title",
    "https://evil.example/",
    "//evil.example",
    "javascript:alert(1)",
    "\u202e",
    "🙂",
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.integers(-(10**25), 10**25).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.text(max_size=40),
)


def _query(names):
    keys = st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12))
    return st.lists(st.tuples(keys, values), max_size=6)


def _segment(converter, real):
    name = type(converter).__name__
    if name == "IntConverter":
        return st.one_of(st.sampled_from(real["ids"]), st.integers(0, 10**25)).map(str)
    if name == "SlugConverter":
        return st.one_of(
            st.sampled_from(real["slugs"]), st.from_regex(r"[-a-zA-Z0-9_]{1,30}", fullmatch=True)
        )
    return st.one_of(
        st.sampled_from(real["slugs"]),
        st.text(
            st.characters(blacklist_characters="/", blacklist_categories=("Cs",)),
            min_size=1,
            max_size=30,
        ),
    )


def _route_part(pattern, real):
    """A strategy for the concrete text of one URLconf part."""
    text = str(pattern)
    converters = pattern.converters
    if isinstance(pattern, RegexPattern):
        regex = text.lstrip("^").rstrip("$")
        if regex == r"((?:[\w\-]+/)*)":  # Wagtail's page tree: real pages, then anything
            return st.one_of(
                st.sampled_from(real["page_paths"]),
                st.from_regex(r"(?:[\w\-]{1,12}/){0,3}", fullmatch=True),
            )
        if not re.search(r"[\\(\[]", regex):
            return st.just(regex)
        return st.from_regex(regex, fullmatch=True)
    pieces = re.split(r"<(?:(\w+):)?(\w+)>", text)
    parts = []
    for i in range(0, len(pieces), 3):
        parts.append(st.just(pieces[i]))
        if i + 2 < len(pieces):
            parts.append(_segment(converters[pieces[i + 2]], real))
    return st.tuples(*parts).map("".join)


def _concrete_path(parts, real) -> str:
    """One real address for a pattern: a real story's id and path, a real slug."""
    text = ""
    for pattern in parts:
        part = str(pattern)
        if isinstance(pattern, RegexPattern):
            part = part.lstrip("^").rstrip("$")
            if part == r"((?:[\w\-]+/)*)":
                part = real["story_path"]
            elif part == r"(\d+)/(.*)":
                part = "1/x.pdf"
        part = re.sub(r"<int:\w+>", str(real["story_id"]), part)
        part = re.sub(r"<(?:\w+:)?\w+>", real["slugs"][0], part)
        text += part
    return "/" + text


def _path(parts, real):
    return st.tuples(*(_route_part(p, real) for p in parts)).map(
        lambda texts: "/" + quote("".join(texts), safe="/-_.~")
    )


@pytest.fixture(scope="module")
def real(django_db_blocker):
    """Ids, slugs and page paths of the demo newsroom (loaded once per test database)."""
    from wagtail.models import Page, Site

    from distribution.demo import DEMO_PARTNER_KEY
    from newsroom.models import StoryPage
    from paywall.models import Plan
    from tests.support import ensure_demo

    with django_db_blocker.unblock():
        ensure_demo()  # a transactional test before may have flushed it
        story = StoryPage.objects.live().order_by("pk").first()
        pages = list(Page.objects.live().filter(depth__gt=1).order_by("path")[:60])
        return {
            "ids": sorted({p.pk for p in pages})[:30] or [1],
            "slugs": sorted(
                {p.slug for p in pages} | set(Plan.objects.values_list("slug", flat=True))
            )[:40],
            "page_paths": sorted({p.url_path.split("/", 2)[-1] for p in pages})[:40] or [""],
            "hosts": ["testserver", *Site.objects.values_list("hostname", flat=True)],
            "partner_key": DEMO_PARTNER_KEY,
            "story_id": story.pk,
            "story_path": story.url_path.split("/", 2)[-1],
        }


@pytest.mark.parametrize("parts, view", public_patterns())
def test_no_public_request_ends_in_a_server_error(demo, real, settings_fixture, parts, view):
    from paywall.services import reader_create, reader_verify_email

    names = _names_for(parts, view)
    # A signed-in reader too: /tai-khoan/ forms, cancelling, gifting are behind the login.
    reader = reader_create(email="fuzz.reader@example.vn", password="mat-khau-fuzz-2026")
    reader_verify_email(user=reader)
    body = st.one_of(
        _query(names).map(lambda pairs: ("form", pairs)),
        st.binary(max_size=300).map(lambda raw: ("raw", raw)),
        st.dictionaries(st.sampled_from(names), values, max_size=6).map(lambda d: ("json", d)),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path=_path(parts, real),
        method=st.sampled_from(["GET", "POST", "HEAD"]),
        query=_query(names),
        body=body,
        host=st.sampled_from(real["hosts"]),
        partner=st.booleans(),
        signed_in=st.booleans(),
    )
    def probe(path, method, query, body, host, partner, signed_in):
        client = Client(raise_request_exception=False, HTTP_HOST=host)
        if signed_in:
            client.force_login(reader)
        url = path + ("?" + urlencode(query) if query else "")
        extra = {"HTTP_AUTHORIZATION": f"Bearer {real['partner_key']}"} if partner else {}
        if method == "POST":
            kind, content = body
            data, extra["content_type"] = {
                "form": lambda: (urlencode(content), "application/x-www-form-urlencoded"),
                "json": lambda: (json.dumps(content), "application/json"),
                "raw": lambda: (content, "application/octet-stream"),
            }[kind]()
            extra["data"] = data
        with transaction.atomic():  # a failing query rolls back to here, not the whole test
            response = getattr(client, method.lower())(url, **extra)
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{method} {url} → {response.status_code}"

    probe()


@pytest.fixture
def settings_fixture(settings):
    # The beacon's per-address limit would answer 429 to most examples, never parsing them.
    settings.ANALYTICS_RATE_LIMIT_PER_MINUTE = 10**9
    return settings


# The hardest values, each sent alone in each parameter the hand-parsed APIs and search
# read: what a random mix may take many examples to hit (a 20-digit offset, year 1 or
# 9999, a Unicode digit, NUL). BASE keeps each answer small (one item), so it stays fast.
HARD = ["9" * 20, "0001-01-01", "9999-12-31", "²", "a\x00"]
SWEPT = {"api/v2/": {"limit": "1"}, "api/ninjs/": {"page_size": "1"}, "api/search/": {}}
SWEPT["tim-kiem/"] = {}


def swept_patterns():
    return [
        p
        for p in public_patterns()
        if any("".join(str(x) for x in p.values[0]).replace("^", "").startswith(k) for k in SWEPT)
    ]


@pytest.mark.parametrize("parts, view", swept_patterns())
def test_one_bad_query_parameter_at_a_time(demo, real, parts, view):
    route = "".join(str(p) for p in parts).replace("^", "")
    base = next(v for k, v in SWEPT.items() if route.startswith(k))
    client = Client(raise_request_exception=False, HTTP_HOST="localhost")
    extra = {"HTTP_AUTHORIZATION": f"Bearer {real['partner_key']}"}
    path = _concrete_path(parts, real)
    failures = []
    for name in _query_names_for(parts, view):
        for value in HARD:
            url = f"{path}?{urlencode({**base, name: value})}"
            with transaction.atomic():
                response = client.get(url, **extra)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failures.append(f"GET {url[:120]} → {response.status_code}")
    assert not failures, "\n".join(failures)
