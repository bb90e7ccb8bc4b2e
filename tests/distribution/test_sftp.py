import io

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.contrib.auth import get_user_model

from distribution.adapters import TransientError, adapter_for
from distribution.models import Delivery, DeliveryAction, DeliveryState, Platform, PlatformKind

from .sftp_fake import SftpFake

pytestmark = pytest.mark.django_db


@pytest.fixture
def sftp_server(tmp_path):
    (tmp_path / "incoming").mkdir()
    with SftpFake(tmp_path) as fake:
        yield fake


@pytest.fixture
def slow_enough(fast):
    fast.DISTRIBUTION_HTTP_TIMEOUT = 5  # an SSH handshake is slower than one HTTP call
    return fast


def openssh_ed25519() -> str:
    """A new Ed25519 private key as `ssh-keygen -t ed25519` writes it."""
    return (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        .decode()
    )


def paramiko_key(pem: str) -> paramiko.PKey:
    return paramiko.Ed25519Key.from_private_key(io.StringIO(pem))


def sftp_platform(agency, fake, folder="incoming", *, fingerprints=None, credentials=None):
    host, port = fake.address
    platform = Platform(
        agency=agency,
        name="IPTV SFTP (fake)",
        kind=PlatformKind.SFTP,
        endpoint=f"sftp://{host}:{port}/{folder}",
        host_key_fingerprint=fake.fingerprints if fingerprints is None else fingerprints,
    )
    platform.set_credentials(credentials or {"username": "iptv", "password": "sftp-pass"})
    platform.save()
    return platform


def files(fake, folder="incoming"):
    return sorted(p.name for p in (fake.root / folder).iterdir())


def latest(story, platform):
    return Delivery.objects.filter(story=story, platform=platform).order_by("-pk").first()


def test_sftp_drop_publishes_updates_and_takes_down_through_a_temporary_name(
    slow_enough, agency, sftp_server, free_story, publish, unpublish, newsml_schema
):
    platform = sftp_platform(agency, sftp_server)
    publish(free_story)
    delivery = latest(free_story, platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    final = f"hoitu-story-{free_story.pk}.xml"
    assert files(sftp_server) == [final]
    newsml_schema.validate((sftp_server.root / "incoming" / final).read_text())
    assert free_story.title in (sftp_server.root / "incoming" / final).read_text()
    # written under a hidden temporary name, then renamed over in one step
    (opened,), (renamed,) = (
        [op for op in sftp_server.operations if op[0] == kind] for kind in ("open", "posix-rename")
    )
    temporary = opened[1]
    assert temporary.startswith("/incoming/.") and temporary.endswith(".part")
    assert renamed == ("posix-rename", temporary, f"/incoming/{final}")

    publish(free_story, title="Bản đã sửa cho IPTV")
    update = latest(free_story, platform)
    assert update.action == DeliveryAction.UPDATE
    assert update.state == DeliveryState.DELIVERED, update.last_error
    assert files(sftp_server) == [final]
    assert "Bản đã sửa cho IPTV" in (sftp_server.root / "incoming" / final).read_text()

    unpublish(free_story)
    removal = latest(free_story, platform)
    assert removal.action == DeliveryAction.REMOVE
    assert removal.state == DeliveryState.DELIVERED, removal.last_error
    assert files(sftp_server) == []


def test_a_server_without_posix_rename_gets_remove_then_rename(
    slow_enough, agency, sftp_server, free_story, publish
):
    sftp_server.posix_rename = False  # SFTP v3 only: rename refuses to replace a file
    platform = sftp_platform(agency, sftp_server)
    publish(free_story)
    publish(free_story, title="Sửa lần hai")
    assert latest(free_story, platform).state == DeliveryState.DELIVERED
    final = f"/incoming/hoitu-story-{free_story.pk}.xml"
    temporary = [op for op in sftp_server.operations if op[0] == "open"][-1][1]
    assert [op for op in sftp_server.operations if op[0] in ("remove", "rename")][-2:] == [
        ("remove", final),
        ("rename", temporary, final),
    ]
    assert files(sftp_server) == [f"hoitu-story-{free_story.pk}.xml"]
    assert "Sửa lần hai" in (sftp_server.root / final.lstrip("/")).read_text()


def test_wrong_password_fails_at_once_with_the_server_reason(
    slow_enough, agency, sftp_server, free_story, publish
):
    platform = sftp_platform(
        agency, sftp_server, credentials={"username": "iptv", "password": "sai-mat-khau"}
    )
    publish(free_story)
    delivery = latest(free_story, platform)
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert "log in as iptv" in delivery.last_error
    assert "Authentication failed" in delivery.last_error
    assert files(sftp_server) == []


def test_unknown_host_key_is_refused_before_any_password_is_sent(
    slow_enough, agency, sftp_server, free_story, publish
):
    other = SftpFake(sftp_server.root)  # another server's key: a changed host key
    platform = sftp_platform(agency, sftp_server, fingerprints=other.fingerprints)
    publish(free_story)
    delivery = latest(free_story, platform)
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert "host key" in delivery.last_error
    assert sftp_server.host_keys[0].fingerprint in delivery.last_error
    assert "never accepted automatically" in delivery.last_error
    assert sftp_server.logins == []  # the password never left
    assert files(sftp_server) == []


def test_fingerprint_types_choose_the_host_key_the_server_shows(
    slow_enough, agency, tmp_path, free_story, publish
):
    (tmp_path / "incoming").mkdir()
    ecdsa = paramiko.ECDSAKey.generate()
    host_keys = [paramiko_key(openssh_ed25519()), ecdsa]
    with SftpFake(tmp_path, host_keys=host_keys) as fake:
        ecdsa_line = next(line for line in fake.fingerprints.splitlines() if "(ECDSA)" in line)
        typed = sftp_platform(agency, fake, fingerprints=ecdsa_line)
        publish(free_story)
        assert latest(free_story, typed).state == DeliveryState.DELIVERED
        # a bare fingerprint says no type: the server shows its preferred (Ed25519) key
        typed.host_key_fingerprint = ecdsa.fingerprint
        typed.save()
        with pytest.raises(Exception, match="not a fingerprint set for this platform"):
            adapter_for(typed).remove(story_pk=free_story.pk, remote_id="", progress={}, key="k")


def test_server_down_is_retried(slow_enough, agency, sftp_server, free_story, publish):
    platform = sftp_platform(agency, sftp_server)
    sftp_server.close()  # nobody answers on that port any more
    publish(free_story)
    delivery = latest(free_story, platform)
    assert delivery.state == DeliveryState.RETRYING, delivery.last_error
    assert delivery.last_error.startswith("sftp: connect to 127.0.0.1:")


def test_missing_folder_fails_with_the_server_reason(
    slow_enough, agency, sftp_server, free_story, publish
):
    platform = sftp_platform(agency, sftp_server, folder="khong-co-thu-muc")
    publish(free_story)
    delivery = latest(free_story, platform)
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert "open folder /khong-co-thu-muc: no such file or folder" in delivery.last_error


def test_key_login(slow_enough, agency, sftp_server, free_story, publish):
    pem = openssh_ed25519()
    sftp_server.password = ""  # keys only
    sftp_server.authorized_keys = [paramiko_key(pem)]
    platform = sftp_platform(
        agency, sftp_server, credentials={"username": "iptv", "private_key": pem}
    )
    publish(free_story)
    delivery = latest(free_story, platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert sftp_server.logins == [("publickey", "iptv")] * len(sftp_server.logins)
    assert files(sftp_server) == [f"hoitu-story-{free_story.pk}.xml"]


def test_remove_of_a_file_already_gone_succeeds_and_a_dead_server_is_transient(
    slow_enough, agency, sftp_server
):
    adapter = adapter_for(sftp_platform(agency, sftp_server))
    adapter.remove(story_pk=404, remote_id="", progress={}, key="k")
    assert ("remove", "/incoming/hoitu-story-404.xml") in sftp_server.operations
    sftp_server.close()
    with pytest.raises(TransientError, match="sftp:"):
        adapter.remove(story_pk=1, remote_id="", progress={}, key="k")


def admin_post(client, data, pk=None):
    client.force_login(get_user_model().objects.get(username="quantri"))
    url = "/admin/snippets/distribution/platform/" + (f"edit/{pk}/" if pk else "add/")
    return client.post(url, data)


def test_admin_form_checks_the_sftp_fields_in_vietnamese(client, agency, sftp_server):
    host, port = sftp_server.address
    data = {
        "agency": agency.pk,
        "name": "IPTV SFTP",
        "kind": PlatformKind.SFTP,
        "enabled": "on",
        "endpoint": f"sftp://{host}:{port}/incoming",
        "token_endpoint": "",
        "host_key_fingerprint": "SHA256:ngắn-quá",
        "cred_username": "iptv",
        "cred_private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nkhông phải khóa\n",
    }
    html = admin_post(client, data).content.decode()
    assert "Vân tay khóa máy chủ không đúng dạng" in html
    assert "Khóa riêng không đọc được" in html
    assert not Platform.objects.filter(name="IPTV SFTP").exists()

    html = admin_post(
        client, data | {"host_key_fingerprint": "", "cred_private_key": "", "endpoint": "ftp://x"}
    ).content.decode()
    assert "SFTP cần vân tay khóa máy chủ" in html
    assert "SFTP cần mật khẩu hoặc khóa riêng" in html
    assert "Địa chỉ phải có dạng sftp://máy-chủ:cổng/thư-mục" in html

    pem = openssh_ed25519()
    data |= {"host_key_fingerprint": sftp_server.fingerprints, "cred_private_key": pem}
    response = admin_post(client, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    platform = Platform.objects.get(name="IPTV SFTP")
    assert platform.credentials == {"username": "iptv", "private_key": pem.strip()}
    edit = client.get(f"/admin/snippets/distribution/platform/edit/{platform.pk}/")
    html = edit.content.decode()
    assert pem.splitlines()[1] not in html and sftp_server.host_keys[0].fingerprint in html
    # a blank key field keeps the stored key
    data |= {"cred_private_key": "", "name": "IPTV SFTP (đổi tên)"}
    assert admin_post(client, data, pk=platform.pk).status_code == 302
    platform.refresh_from_db()
    assert platform.credentials["private_key"] == pem.strip()
