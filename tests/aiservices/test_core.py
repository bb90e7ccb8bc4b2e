"""The AI providers' core: keys encrypted and write-only, each agency sees its own
accounts, every call is counted (ok or failed), paid text stays home by default."""

import pytest
from django.contrib.auth import get_user_model

from aiservices import services as ai
from aiservices.models import AIPolicy, CallLog, ProviderAccount, UsageMonth
from newsroom.models import Agency

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/snippets/aiservices/provideraccount/add/"
LIST_URL = "/admin/snippets/aiservices/provideraccount/"


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def agency(slug):
    return Agency.objects.get(outlets__site__hostname__startswith=slug)


@pytest.fixture
def bao(demo):
    return Agency.objects.filter(roles__group__user__username="tongbientap.baothanhhoa").get()


@pytest.fixture
def ptth(demo):
    return Agency.objects.filter(roles__group__user__username="tongbientap.ptth").get()


def form(agency, **extra):
    data = {
        "agency": agency.pk,
        "provider": "fpt",
        "capability": "tts",
        "enabled": "on",
        "priority": "10",
        "endpoint": "",
        "voice": "banmai",
        "api_key": "fpt-secret-key-123456",
    }
    data.update(extra)
    return data


def test_editor_in_chief_adds_an_account_whose_key_is_stored_encrypted(client, bao):
    login(client, "tongbientap.baothanhhoa")
    response = client.post(ADD_URL, form(bao))
    assert response.status_code == 302, response.content.decode()[:2000]
    account = ProviderAccount.objects.get(agency=bao)
    assert "fpt-secret-key-123456" not in account.credentials_encrypted
    assert account.api_key == "fpt-secret-key-123456"
    edit = f"/admin/snippets/aiservices/provideraccount/edit/{account.pk}/"
    html = client.get(edit).content.decode()
    assert "fpt-secret-key-123456" not in html and "••••••3456" in html
    # A blank key keeps the stored one; a new one replaces it.
    assert client.post(edit, form(bao, api_key="", voice="leminh")).status_code == 302
    account.refresh_from_db()
    assert account.api_key == "fpt-secret-key-123456" and account.voice == "leminh"
    assert client.post(edit, form(bao, api_key="new-key-987654")).status_code == 302
    account.refresh_from_db()
    assert account.api_key == "new-key-987654"


def test_an_account_without_a_key_or_with_a_broken_one_is_refused(client, bao):
    login(client, "tongbientap.baothanhhoa")
    html = client.post(ADD_URL, form(bao, api_key="")).content.decode()
    assert "Cần khóa API của nhà cung cấp." in html
    html = client.post(ADD_URL, form(bao, api_key="two words")).content.decode()
    assert "không được có khoảng trắng" in html
    assert not ProviderAccount.objects.exists()


@pytest.mark.parametrize(
    "endpoint, message",
    [
        ("http://api.fpt.ai/hmi/tts/v5", "phải dùng kết nối bảo mật (https://)"),
        ("https://169.254.169.254/latest/meta-data/", "phải thuộc tên miền của nhà cung cấp"),
        ("https://api.fpt.ai.evil.example/tts", "phải thuộc tên miền của nhà cung cấp"),
        ("https://user:pw@api.fpt.ai/tts", "Địa chỉ API không hợp lệ."),
    ],
)
def test_an_endpoint_outside_the_providers_domains_is_refused(
    client, bao, settings, endpoint, message
):
    """The server posts the text and the key to this address: never into its own network."""
    settings.AI_ALLOW_LOOPBACK_HTTP = False
    login(client, "tongbientap.baothanhhoa")
    html = client.post(ADD_URL, form(bao, endpoint=endpoint)).content.decode()
    assert message in html
    assert not ProviderAccount.objects.exists()
    response = client.post(ADD_URL, form(bao, endpoint="https://api.fpt.ai/hmi/tts/v5"))
    assert response.status_code == 302
    assert ProviderAccount.objects.get().endpoint == "https://api.fpt.ai/hmi/tts/v5"


def test_calls_go_only_to_allowed_hosts_redirects_included(bao, settings):
    """Checked again at call time (an address stored before the rule, a provider's answer
    pointing elsewhere): refused before any connection is made."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path == "/to-metadata":
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            elif self.path == "/hop":
                self.send_response(302)
                self.send_header("Location", "/file.mp3")
            else:
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        assert ai.fetch("GET", f"{base}/hop", what="fpt file").status_code == 200
        assert hits == ["/hop", "/file.mp3"]
        with pytest.raises(ai.PermanentProviderError, match="address refused"):
            ai.fetch("GET", f"{base}/to-metadata", what="fpt file")
        with pytest.raises(ai.PermanentProviderError, match="address refused"):
            ai.http("POST", "http://10.0.0.5:6379/", what="fpt tts", data=b"x")
        settings.AI_ALLOW_LOOPBACK_HTTP = False
        with pytest.raises(ai.PermanentProviderError, match="address refused"):
            ai.http("POST", f"{base}/", what="fpt tts", data=b"x")
        settings.AI_ALLOWED_HOSTS = ["fpt.ai"]
        settings.AI_ALLOW_LOOPBACK_HTTP = True
        with pytest.raises(ai.PermanentProviderError, match="address refused"):
            ai.http("POST", f"{base}/", what="fpt tts", data=b"x")
        assert hits == ["/hop", "/file.mp3", "/to-metadata"]
    finally:
        server.shutdown()


def test_each_agency_sees_and_edits_only_its_own_accounts(client, bao, ptth):
    account = ProviderAccount(agency=bao, provider="viettel", capability="stt")
    account.set_credentials({"api_key": "viettel-token"})
    account.save()
    login(client, "tongbientap.ptth")
    edit = f"/admin/snippets/aiservices/provideraccount/edit/{account.pk}/"
    assert edit not in client.get(LIST_URL).content.decode()
    assert client.get(edit).status_code in (302, 403)
    assert client.post(edit, form(ptth)).status_code in (302, 403)
    account.refresh_from_db()
    assert account.agency == bao and account.api_key == "viettel-token"
    # Nor can they create one for another agency.
    html = client.post(ADD_URL, form(bao)).content.decode()
    assert "Cơ quan không hợp lệ hoặc không thuộc quyền của bạn." in html
    assert ProviderAccount.objects.count() == 1
    login(client, "phongvien.baothanhhoa")
    response = client.get(LIST_URL)
    assert response.status_code in (302, 403) and edit.encode() not in response.content
    login(client, "tongbientap.baothanhhoa")
    assert edit in client.get(LIST_URL).content.decode()


def test_usage_and_call_log_are_read_only(client, bao):
    ai.record(bao, "fpt", "tts", ok=True, units=120)
    login(client, "quantri")
    assert client.get("/admin/snippets/aiservices/usagemonth/").status_code == 200
    assert client.get("/admin/snippets/aiservices/usagemonth/add/").status_code in (302, 403)
    usage = UsageMonth.objects.get()
    edit = f"/admin/snippets/aiservices/usagemonth/edit/{usage.pk}/"
    assert client.post(edit, {"calls": 0}).status_code in (302, 403)
    usage.refresh_from_db()
    assert usage.calls == 1 and usage.units == 120


def test_track_counts_calls_units_and_failures_and_lets_the_error_through(bao):
    with ai.track(bao, "fpt", "tts", subject="trang 1") as call:
        call.units = 1500
    with pytest.raises(ai.TransientProviderError):
        with ai.track(bao, "fpt", "tts", subject="trang 2") as call:
            call.units = 800
            raise ai.TransientProviderError("fpt tts: HTTP 503")
    usage = UsageMonth.objects.get(agency=bao, provider="fpt", capability="tts")
    assert (usage.calls, usage.failures, usage.units) == (2, 1, 2300)
    failed = CallLog.objects.get(subject="trang 2")
    assert not failed.ok and "HTTP 503" in failed.error
    assert CallLog.objects.get(subject="trang 1").ok


def test_paid_text_stays_home_unless_the_agency_allows_it(bao):
    assert ai.may_send(bao, paid=False)
    assert not ai.may_send(bao, paid=True)
    AIPolicy.objects.create(agency=bao, send_paid_text=True)
    assert ai.may_send(bao, paid=True)


def test_accounts_in_priority_order_and_status_says_what_is_configured(bao, ptth):
    for provider, priority, enabled in (
        ("viettel", 20, True),
        ("fpt", 10, True),
        ("fpt", 5, False),
    ):
        account = ProviderAccount(
            agency=bao, provider=provider, capability="tts", priority=priority, enabled=enabled
        )
        account.set_credentials({"api_key": "k"})
        account.save()
    assert [a.provider for a in ai.accounts(bao, "tts")] == ["fpt", "viettel"]
    assert ai.status(bao) == {"tts": ["FPT.AI", "Viettel AI"], "stt": []}
    assert ai.status(ptth) == {"tts": [], "stt": []}


def test_http_turns_provider_answers_into_errors(bao):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    statuses = iter([503, 401, 200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(next(statuses))
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        with pytest.raises(ai.TransientProviderError):
            ai.http("POST", url, what="fpt tts", data=b"x")
        with pytest.raises(ai.PermanentProviderError):
            ai.http("POST", url, what="fpt tts", data=b"x")
        assert ai.http("POST", url, what="fpt tts", data=b"x").status_code == 200
    finally:
        server.shutdown()


def test_usage_reads_as_vietnamese_numbers(client, bao):
    ai.record(bao, "viettel", "stt", ok=True, units=12345)
    login(client, "tongbientap.baothanhhoa")
    html = client.get("/admin/snippets/aiservices/usagemonth/").content.decode()
    assert "12.345" in html and "12345" not in html
