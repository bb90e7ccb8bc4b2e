"""FTPS for the FTP drop (issue 11): explicit TLS by default, the certificate checked,
plain FTP only on a platform marked so on purpose, and a warning to staff when it is.
The server is pyftpdlib's TLS_FTPHandler on 127.0.0.1 with a certificate issued here by
a throwaway CA."""

import datetime
import ipaddress
import logging
import warnings

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.contrib.auth import get_user_model

with warnings.catch_warnings():
    # pyftpdlib still imports asyncore/asynchat on Python 3.11.
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.handlers import TLS_FTPHandler

from distribution.models import Delivery, DeliveryState, Platform

from .conftest import serve_ftp
from .test_ftp_and_admin import ftp_platform

pytestmark = pytest.mark.django_db


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(common_name):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue(ca_key, ca_cert, host="127.0.0.1"):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def ca():
    return make_ca("Hoi Tu test CA")


@pytest.fixture
def ftps_server(tmp_path, ca):
    """A real FTPS server (explicit TLS required on control and data) that records every
    command it receives."""
    key, cert = issue(*ca)
    (tmp_path / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "server.crt").write_text(pem(cert))
    root = tmp_path / "root"
    (root / "incoming").mkdir(parents=True)
    server = serve_ftp(
        TLS_FTPHandler,
        root,
        certfile=str(tmp_path / "server.crt"),
        keyfile=str(tmp_path / "server.key"),
        tls_control_required=True,
        tls_data_required=True,
    )
    yield server
    server.close_all()


def test_ftps_upload_when_the_platform_trusts_the_ca(
    fast, agency, ftps_server, ca, free_story, publish, unpublish
):
    fast.DISTRIBUTION_HTTP_TIMEOUT = 5
    platform = ftp_platform(agency, ftps_server, "incoming", plaintext=False, ca=pem(ca[1]))
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    name = f"hoitu-story-{free_story.pk}.xml"
    assert [p.name for p in (ftps_server.root / "incoming").iterdir()] == [name]
    assert free_story.title in (ftps_server.root / "incoming" / name).read_text()
    commands = [cmd for cmd, _ in ftps_server.commands]
    # TLS before the password, and the data channel protected before the file goes.
    assert commands.index("AUTH") < commands.index("USER") < commands.index("PASS")
    assert ("PROT", "P") in ftps_server.commands
    assert commands.index("PROT") < commands.index("STOR")
    unpublish(free_story)
    assert list((ftps_server.root / "incoming").iterdir()) == []


def test_untrusted_certificate_fails_clearly_then_retry_after_fixing_the_platform(
    client, fast, agency, ftps_server, ca, free_story, publish, caplog,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    fast.DISTRIBUTION_HTTP_TIMEOUT = 5
    # No CA on the platform: the system store does not know the test CA.
    platform = ftp_platform(agency, ftps_server, "incoming", plaintext=False)
    with caplog.at_level(logging.WARNING, logger="distribution"):
        publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=platform)
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert "Chứng chỉ TLS của máy chủ FTP" in delivery.last_error
    assert "không được tin cậy" in delivery.last_error
    assert any("certificate of 127.0.0.1" in r.getMessage() for r in caplog.records)
    commands = [cmd for cmd, _ in ftps_server.commands]
    assert "USER" not in commands and "PASS" not in commands  # nothing sent
    # Another CA's certificate is not trusted either.
    _, other = make_ca("Someone else's CA")
    Platform.objects.filter(pk=platform.pk).update(tls_ca_certificate=pem(other))
    client.force_login(get_user_model().objects.get(username="tongbientap.baothanhhoa"))
    html = client.get("/admin/distribution/?state=failed").content.decode()
    assert "không được tin cậy" in html and "Gửi lại" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/distribution/deliveries/{delivery.pk}/retry/")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and "không được tin cậy" in delivery.last_error
    # Staff paste the server's CA, checked with its administrator: "Gửi lại" delivers.
    Platform.objects.filter(pk=platform.pk).update(tls_ca_certificate=pem(ca[1]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/distribution/deliveries/{delivery.pk}/retry/")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert Delivery.objects.filter(story=free_story, platform=platform).count() == 1
    assert (ftps_server.root / "incoming" / f"hoitu-story-{free_story.pk}.xml").exists()


def test_plain_ftp_server_refused_unless_the_platform_allows_it(
    fast, agency, ftp_server, free_story, publish
):
    fast.DISTRIBUTION_HTTP_TIMEOUT = 5
    platform = ftp_platform(agency, ftp_server, "incoming", plaintext=False)
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=platform)
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert "không nhận FTPS" in delivery.last_error
    commands = [cmd for cmd, _ in ftp_server.commands]
    assert commands == ["AUTH"] or "PASS" not in commands, commands
    assert not list((ftp_server.root / "incoming").iterdir())


def login(client, username="quantri"):
    client.force_login(get_user_model().objects.get(username=username))


def test_plaintext_platform_is_flagged_to_staff(client, agency, ftp_server):
    platform = ftp_platform(agency, ftp_server, "incoming", plaintext=True)
    secure = ftp_platform(agency, ftp_server, "incoming", plaintext=False, name="IPTV (FTPS)")
    login(client)
    listing = client.get("/admin/snippets/distribution/platform/").content.decode()
    assert "FTP không mã hóa" in listing and "FTPS (TLS)" in listing
    edit = client.get(f"/admin/snippets/distribution/platform/edit/{platform.pk}/")
    assert "ĐANG BẬT" in edit.content.decode()
    secure_edit = client.get(f"/admin/snippets/distribution/platform/edit/{secure.pk}/")
    assert "ĐANG BẬT" not in secure_edit.content.decode()
    dashboard = client.get("/admin/distribution/").content.decode()
    assert dashboard.count('class="help-block help-critical plaintext-ftp"') == 1


def _form_data(platform, **changes):
    data = {
        "agency": platform.agency_id,
        "name": platform.name,
        "kind": platform.kind,
        "endpoint": platform.endpoint,
        "token_endpoint": "",
        "tls_ca_certificate": "",
    }
    data.update(changes)
    return data


def test_platform_form_checks_the_ca_and_warns_on_plain_ftp(client, agency, ftp_server, ca):
    platform = ftp_platform(agency, ftp_server, "incoming", plaintext=False)
    login(client)
    url = f"/admin/snippets/distribution/platform/edit/{platform.pk}/"
    response = client.post(url, _form_data(platform, tls_ca_certificate="không phải PEM"))
    assert response.status_code == 200
    assert "Chứng chỉ CA không đọc được" in response.content.decode()
    platform.refresh_from_db()
    assert platform.tls_ca_certificate == "" and not platform.ftp_plaintext_allowed
    response = client.post(url, _form_data(platform, tls_ca_certificate=pem(ca[1])), follow=True)
    platform.refresh_from_db()
    assert platform.tls_ca_certificate.startswith("-----BEGIN CERTIFICATE-----")
    assert "không mã hóa" not in response.content.decode()
    response = client.post(url, _form_data(platform, ftp_plaintext_allowed="on"), follow=True)
    platform.refresh_from_db()
    assert platform.ftp_plaintext_allowed
    assert "giao tệp qua FTP không mã hóa" in response.content.decode()
