"""Staff upload and choose their agency's cuts, see only their collections in choosers,
and lend a cut to another agency explicitly."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry

from newsroom.demo.broadcast import AUDIO_TITLE
from newsroom.models import Agency, MediaAsset, MediaShare, ProcessingStatus
from newsroom.services import agency_collection

from .conftest import read

pytestmark = pytest.mark.django_db

AUDIO_CHOOSER = "/admin/media/chooser/audio/"
UPLOAD_AUDIO = "/admin/media/audio/chooser/upload/"


def login(client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    return user


def chooser_html(client, url=AUDIO_CHOOSER, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)["html"]
    return response.content.decode()


def demo_audio() -> MediaAsset:
    return MediaAsset.objects.get(title=AUDIO_TITLE)


def upload_audio(client, media_sources, title="Phỏng vấn chủ tịch xã Mường Lát"):
    return client.post(
        UPLOAD_AUDIO,
        {
            "media-chooser-upload-title": title,
            "media-chooser-upload-file": SimpleUploadedFile(
                "phong-van.wav", read(media_sources["tone"]), content_type="audio/wav"
            ),
        },
    )


def test_reporter_has_media_menu_and_upload_tab_in_vietnamese(client, demo):
    login(client, "phongvien.baothanhhoa")
    listing = client.get("/admin/media/").content.decode()
    assert "Tìm âm thanh / video theo tiêu đề" in listing and "Tải lên âm thanh" in listing
    # the sidebar's menu is JSON inside the page (non-ASCII escaped)
    assert json.dumps("Âm thanh / video")[1:-1] in client.get("/admin/").content.decode()
    html = chooser_html(client)
    assert "Tải lên âm thanh" in html and "data-hoitu-upload" in html
    assert "Cơ quan bạn chưa có bản phát thanh nào" in html
    for english in ("Upload", "You haven't uploaded", "Search", "Latest media", "Choose"):
        assert english not in html, english


def test_reporter_uploads_into_own_collection_and_sees_only_own_agency(
    client, demo, media_sources, django_capture_on_commit_callbacks
):
    reporter = login(client, "phongvien.baothanhhoa")
    assert AUDIO_TITLE not in chooser_html(client)  # ptth's demo cut
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_audio(client, media_sources)
    assert response.status_code == 200
    payload = json.loads(response.content)
    assert payload["step"] == "media_chosen", payload.get("html", "")[:2000]
    asset = MediaAsset.objects.get(pk=payload["result"]["id"])
    baothanhhoa = Agency.objects.get(slug="baothanhhoa")
    assert asset.collection == agency_collection(agency=baothanhhoa)
    assert asset.uploaded_by_user == reporter
    assert asset.processing_status == ProcessingStatus.READY, asset.processing_error
    # a colleague (desk editor) of the same agency can choose it; ptth's reporter cannot.
    login(client, "bientap.baothanhhoa")
    assert "Phỏng vấn chủ tịch xã Mường Lát" in chooser_html(client)
    login(client, "phongvien.ptth")
    html = chooser_html(client)
    assert "Phỏng vấn chủ tịch xã Mường Lát" not in html and AUDIO_TITLE in html
    assert client.get(f"/admin/media-pipeline/{asset.pk}/chon/").status_code == 404
    status = client.get("/admin/media-pipeline/trang-thai/", {"id": [asset.pk]}).json()
    assert status == {"items": []}


def test_sharing_makes_a_cut_visible_to_the_other_agency_and_unsharing_hides_it(client, demo):
    audio = demo_audio()
    baothanhhoa = Agency.objects.get(slug="baothanhhoa")
    login(client, "phongvien.baothanhhoa")
    assert AUDIO_TITLE not in chooser_html(client)
    assert client.get(f"/admin/media-pipeline/{audio.pk}/chon/").status_code == 404
    # A baothanhhoa reporter cannot share ptth's cut with their own agency.
    response = client.post(f"/admin/media-pipeline/{audio.pk}/chia-se/", {"agency": baothanhhoa.pk})
    assert response.status_code in (302, 403)
    assert not MediaShare.objects.exists()

    # ptth's managing editor shares it from the cut's edit screen.
    sharer = login(client, "thuky.ptth")
    edit = client.get(f"/admin/media/edit/{audio.pk}/").content.decode()
    assert "Chia sẻ với cơ quan" in edit and baothanhhoa.name in edit
    response = client.post(
        f"/admin/media-pipeline/{audio.pk}/chia-se/", {"agency": baothanhhoa.pk}, follow=True
    )
    assert f"Đã chia sẻ «{audio.title}» với {baothanhhoa}" in response.content.decode()
    assert MediaShare.objects.filter(asset=audio, agency=baothanhhoa, shared_by=sharer).exists()
    entry = ModelLogEntry.objects.get(action="newsroom.media_share", object_id=str(audio.pk))
    assert entry.user == sharer and entry.data["agency"] == baothanhhoa.pk
    # sharing twice is refused, in Vietnamese, nothing changes
    response = client.post(
        f"/admin/media-pipeline/{audio.pk}/chia-se/", {"agency": baothanhhoa.pk}, follow=True
    )
    assert "đã được chia sẻ với" in response.content.decode()
    assert MediaShare.objects.count() == 1

    login(client, "phongvien.baothanhhoa")
    assert AUDIO_TITLE in chooser_html(client)
    assert AUDIO_TITLE in chooser_html(client, q="bản tin phát thanh")  # search finds it too
    chosen = client.get(f"/admin/media-pipeline/{audio.pk}/chon/")
    assert chosen.status_code == 200
    result = json.loads(chosen.content)["result"]
    assert result["id"] == audio.pk and result["status"] == "ready"
    assert result["edit_url"] == ""  # shared to use, not to edit
    assert client.get(f"/admin/media/edit/{audio.pk}/").status_code in (302, 403)
    status = client.get("/admin/media-pipeline/trang-thai/", {"id": [audio.pk]}).json()
    assert [i["status_label"] for i in status["items"]] == ["Sẵn sàng"]
    # not shared with vannghe
    login(client, "phongvien.vannghe")
    assert AUDIO_TITLE not in chooser_html(client)

    login(client, "thuky.ptth")
    client.post(
        f"/admin/media-pipeline/{audio.pk}/chia-se/",
        {"agency": baothanhhoa.pk, "action": "unshare"},
    )
    assert not MediaShare.objects.exists()
    assert ModelLogEntry.objects.filter(action="newsroom.media_unshare").count() == 1
    login(client, "phongvien.baothanhhoa")
    assert AUDIO_TITLE not in chooser_html(client)
    assert client.get(f"/admin/media-pipeline/{audio.pk}/chon/").status_code == 404


def test_choosers_offer_only_the_agency_collection(client, demo):
    own = agency_collection(agency=Agency.objects.get(slug="baothanhhoa")).name
    others = [agency_collection(agency=a).name for a in Agency.objects.exclude(slug="baothanhhoa")]
    login(client, "phongvien.baothanhhoa")
    for url in ("/admin/images/chooser/", "/admin/documents/chooser/", AUDIO_CHOOSER):
        html = chooser_html(client, url)
        for name in others:
            assert name not in html, (url, name)
    images = chooser_html(client, "/admin/images/chooser/")
    assert "Ảnh minh họa" in images and "Ảnh minh họa PTTH" not in images
    # the upload forms put a file in the agency's collection without asking
    upload_form = chooser_html(client)
    assert 'name="media-chooser-upload-collection"' not in upload_form
    assert own  # the collection exists


def test_bad_uploads_are_refused_in_vietnamese_and_nothing_is_saved(client, demo, settings):
    login(client, "phongvien.baothanhhoa")
    before = MediaAsset.objects.count()
    response = client.post(
        UPLOAD_AUDIO,
        {
            "media-chooser-upload-title": "Ghi chú",
            "media-chooser-upload-file": SimpleUploadedFile("ghi-chu.txt", b"xin chao"),
        },
    )
    html = json.loads(response.content)["html"]
    assert "không phải định dạng âm thanh được nhận" in html
    settings.HOITU_MEDIA_MAX_UPLOAD_SIZE = 10
    response = client.post(
        UPLOAD_AUDIO,
        {
            "media-chooser-upload-title": "Quá cỡ",
            "media-chooser-upload-file": SimpleUploadedFile("qua-co.mp3", b"x" * 100),
        },
    )
    assert "Tệp quá lớn" in json.loads(response.content)["html"]
    response = client.post(
        UPLOAD_AUDIO,
        {"media-chooser-upload-title": "Không có tệp"},
    )
    assert "Hãy chọn tệp âm thanh / video để tải lên." in json.loads(response.content)["html"]
    assert MediaAsset.objects.count() == before


def test_status_endpoint_refuses_bad_ids(client, demo):
    login(client, "phongvien.baothanhhoa")
    response = client.get("/admin/media-pipeline/trang-thai/", {"id": "abc"})
    assert response.status_code == 400 and "không hợp lệ" in response.json()["error"]
    client.logout()
    assert client.get("/admin/media-pipeline/trang-thai/", {"id": 1}).status_code == 302


def test_story_cannot_carry_another_agencys_unshared_cut(client, demo):
    from newsroom.models import StoryPage
    from tests.newsroom.helpers import add_url, form_errors, section_of, story_form

    audio = demo_audio()
    login(client, "phongvien.baothanhhoa")
    section = section_of("baothanhhoa", "thoi-su")
    title = "Bài thử gắn bản phát thanh của đài"
    response = client.post(add_url(section), story_form(title=title, audio=audio.pk))
    assert response.status_code == 200
    assert "chưa được chia sẻ với cơ quan bạn" in str(form_errors(response).get("audio"))
    assert not StoryPage.objects.filter(title=title).exists()
    # once ptth shares it, the same story saves with it
    MediaShare.objects.create(asset=audio, agency=Agency.objects.get(slug="baothanhhoa"))
    response = client.post(add_url(section), story_form(title=title, audio=audio.pk))
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=title)
    assert story.get_latest_revision_as_object().audio_id == audio.pk
