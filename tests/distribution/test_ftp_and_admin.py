import pytest
from django.contrib.auth import get_user_model

from distribution.models import Delivery, DeliveryState, Platform, PlatformKind

from .conftest import make_push_platform

pytestmark = pytest.mark.django_db


def ftp_platform(agency, ftp_server, folder, *, plaintext=True, ca="", name="IPTV (fake)"):
    host, port = ftp_server.address[:2]
    platform = Platform(
        agency=agency,
        name=name,
        kind=PlatformKind.FTP,
        endpoint=f"ftp://{host}:{port}/{folder}",
        ftp_plaintext_allowed=plaintext,
        tls_ca_certificate=ca,
    )
    platform.set_credentials({"username": "iptv", "password": "ftp-pass"})
    platform.save()
    return platform


def test_ftp_drop_uploads_under_temporary_name_then_renames(
    fast, agency, ftp_server, free_story, publish, unpublish
):
    fast.DISTRIBUTION_HTTP_TIMEOUT = 5  # the FTP dialogue is slower than one HTTP call
    platform = ftp_platform(agency, ftp_server, "incoming")
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    files = sorted(p.name for p in (ftp_server.root / "incoming").iterdir())
    assert files == [f"hoitu-story-{free_story.pk}.xml"]
    stored = [arg for cmd, arg in ftp_server.commands if cmd == "STOR"]
    renamed = [arg for cmd, arg in ftp_server.commands if cmd in ("RNFR", "RNTO")]
    assert stored[0].endswith(".part") and renamed == [stored[0], files[0]]
    assert free_story.title in (ftp_server.root / "incoming" / files[0]).read_text()
    unpublish(free_story)
    assert list((ftp_server.root / "incoming").iterdir()) == []


def test_ftp_refusal_fails_with_the_server_reason(fast, agency, ftp_server, free_story, publish):
    fast.DISTRIBUTION_HTTP_TIMEOUT = 5  # the FTP dialogue is slower than one HTTP call
    platform = ftp_platform(agency, ftp_server, "khong-co-thu-muc")
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=platform)
    assert delivery.state == DeliveryState.FAILED, delivery.last_error
    assert "550" in delivery.last_error and delivery.attempts == 1


def test_ftp_remove_of_a_file_already_gone_succeeds_and_no_server_is_transient(
    fast, agency, ftp_server
):
    from distribution.adapters import TransientError
    from distribution.adapters.ftp import FtpAdapter

    fast.DISTRIBUTION_HTTP_TIMEOUT = 5
    adapter = FtpAdapter(ftp_platform(agency, ftp_server, "incoming"))
    adapter.remove(story_pk=550, remote_id="", progress={}, key="k")  # 550 from the server
    assert ("DELE", "hoitu-story-550.xml") in ftp_server.commands
    ftp_server.close_all()  # nobody answers on that port any more
    with pytest.raises(TransientError, match="ftp:"):
        adapter.remove(story_pk=1, remote_id="", progress={}, key="k")


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def test_distribution_view_for_the_editor_in_chief(
    client, fast, agency, push_fake, free_story, publish, django_capture_on_commit_callbacks
):
    platform = make_push_platform(agency, push_fake)
    push_fake.statuses = [400]
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=platform)
    login(client, "tongbientap.baothanhhoa")
    html = client.get("/admin/distribution/").content.decode()
    assert "Push (fake)" in html and "HTTP 400" in html and "Gửi lại" in html
    html = client.get(f"/admin/distribution/story/{free_story.pk}/").content.decode()
    assert "Push (fake)" in html
    edit = client.get(f"/admin/pages/{free_story.pk}/edit/").content.decode()
    assert f"/admin/distribution/story/{free_story.pk}/" in edit
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/distribution/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert Delivery.objects.filter(story=free_story, platform=platform).count() == 1


def test_distribution_view_is_scoped_to_the_agency(
    client, fast, agency, push_fake, free_story, publish
):
    platform = make_push_platform(agency, push_fake)
    push_fake.statuses = [400]
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=platform)
    login(client, "tongbientap.vannghe")
    assert "Push (fake)" not in client.get("/admin/distribution/").content.decode()
    assert client.post(f"/admin/distribution/deliveries/{delivery.pk}/retry/").status_code == 404
    login(client, "phongvien.baothanhhoa")
    response = client.get("/admin/distribution/")
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    assert response.status_code in (302, 403) and b"Push (fake)" not in response.content
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED


def test_credentials_never_shown_back_in_full(client, agency, demo):
    platform = Platform.objects.get(name="Zalo OA Báo Thanh Hóa (demo)")
    login(client, "quantri")
    html = client.get(f"/admin/snippets/distribution/platform/edit/{platform.pk}/").content.decode()
    assert "demo-access" not in html and "demo-secret" not in html
    assert "••••••" in html
    # a blank secret field keeps the stored value; a filled one replaces it
    response = client.post(
        f"/admin/snippets/distribution/platform/edit/{platform.pk}/",
        {
            "agency": platform.agency_id,
            "name": platform.name,
            "kind": platform.kind,
            "endpoint": platform.endpoint,
            "token_endpoint": "",
            "cred_access_token": "new-access-token-123",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    platform.refresh_from_db()
    assert platform.credentials["access_token"] == "new-access-token-123"
    assert platform.credentials["secret_key"] == "demo-secret"
    assert not platform.enabled


@pytest.mark.parametrize("username", ["quantri", "so.tttt"])
def test_admin_and_department_officer_see_every_platform(client, demo, username):
    login(client, username)
    html = client.get("/admin/distribution/").content.decode()
    assert "Zalo OA Báo Thanh Hóa (demo)" in html and "IPTV đối tác (FTP, demo)" in html
    # the demo history: one failed push with the platform's reason
    assert "HTTP 503" in html
    if username == "so.tttt":
        assert "Gửi lại" not in html  # the department officer only reads


def test_another_agencys_platform_and_policy_cannot_be_opened_by_address(client, demo):
    """Wagtail's edit view fetches by pk with the model permission only: the editor-in-chief
    of the station could open the newspaper's Zalo platform and send its deliveries (with
    its access token) to an address of their choosing."""
    from distribution.models import SharingPolicy

    platform = Platform.objects.get(name="Zalo OA Báo Thanh Hóa (demo)")
    policy, _ = SharingPolicy.objects.get_or_create(agency=platform.agency)
    login(client, "tongbientap.ptth")
    edit = f"/admin/snippets/distribution/platform/edit/{platform.pk}/"
    assert client.get(edit).status_code in (302, 403)
    response = client.post(
        edit, {"agency": platform.agency_id, "endpoint": "https://evil.example/"}
    )
    assert response.status_code in (302, 403)
    delete = f"/admin/snippets/distribution/platform/delete/{platform.pk}/"
    assert client.post(delete).status_code in (302, 403)
    platform.refresh_from_db()
    assert platform.endpoint != "https://evil.example/"
    policy_edit = f"/admin/snippets/distribution/sharingpolicy/edit/{policy.pk}/"
    assert client.get(policy_edit).status_code in (302, 403)
    login(client, "tongbientap.baothanhhoa")
    assert client.get(edit).status_code == 200
    assert client.get(policy_edit).status_code == 200
