"""Staff uploads through the real admin views (issue 11): the content decides what a file
is, active content and executables are refused, sizes are limited, each refusal is a
specific Vietnamese message with nothing saved; accepted photos lose their location."""

import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from newsroom.models import MediaAsset

pytestmark = pytest.mark.django_db

REPORTER = "phongvien.baothanhhoa"
GPS = 0x8825
MAKE = 0x010F
ORIENTATION = 0x0112
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/admin/users/')</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
PDF_JS = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
    b"2 0 obj << /S /JavaScript /JS (app.alert('x')) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
)
PDF_PLAIN = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
)


def photo_with_location() -> bytes:
    """A JPEG as a phone writes it: camera make, orientation, GPS position (Thanh Hóa)."""
    exif = PILImage.Exif()
    exif[MAKE] = "PhoneCam"
    exif[ORIENTATION] = 6
    exif[GPS] = {1: "N", 2: (19.0, 48.0, 27.0), 3: "E", 4: (105.0, 46.0, 36.0)}
    out = io.BytesIO()
    PILImage.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG", exif=exif, quality=90)
    data = out.getvalue()
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(GPS)  # the crafted file has it
    return data


def files_under(folder: str) -> set[str]:
    root = Path(django_settings.MEDIA_ROOT) / folder
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def reporter(login):
    return login(REPORTER)


def upload_image(client, name, data, title="Ảnh hiện trường"):
    return client.post(
        "/admin/images/add/",
        {"title": title, "file": SimpleUploadedFile(name, data), "tags": ""},
    )


def test_photo_is_re_encoded_without_location_but_keeps_orientation(reporter):
    response = upload_image(reporter, "hien-truong.jpg", photo_with_location())
    assert response.status_code == 302, response.content.decode()[-3000:]
    image = Image.objects.get(title="Ảnh hiện trường")
    with image.file.open("rb") as stored:
        saved = PILImage.open(io.BytesIO(stored.read()))
        exif = saved.getexif()
    assert saved.format == "JPEG" and saved.size == (64, 48)
    assert not exif.get_ifd(GPS) and GPS not in exif
    assert MAKE not in exif
    assert exif[ORIENTATION] == 6
    assert (image.width, image.height) == (64, 48)


def test_multiple_upload_also_strips_location(reporter):
    response = reporter.post(
        "/admin/images/multiple/add/",
        {"files[]": SimpleUploadedFile("keo-tha.jpg", photo_with_location())},
    )
    answer = json.loads(response.content)
    assert answer["success"] is True, answer
    image = Image.objects.get(pk=answer["image_id"])
    with image.file.open("rb") as stored:
        assert GPS not in PILImage.open(io.BytesIO(stored.read())).getexif()


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("logo.png", SVG, "chứa mã trang web / SVG / XML"),
        ("bando.svg", SVG, "chứa mã trang web / SVG / XML"),
        ("anh.jpg", HTML, "chứa mã trang web / SVG / XML"),
        ("anh.jpg", ELF, "là chương trình chạy được"),
        ("anh.png", b"%PDF-1.4 not a picture", "không phải là ảnh (nội dung thật: tệp PDF)"),
    ],
)
def test_disguised_images_are_refused_in_vietnamese(reporter, name, data, message):
    check_refused(reporter, name, data, f"Tệp «{name}» {message}")


def test_photo_with_the_wrong_extension_is_refused(reporter):
    png = io.BytesIO()
    PILImage.new("RGB", (8, 8)).save(png, "PNG")
    message = "Nội dung tệp «anh.jpg» không khớp đuôi .jpg (nội dung thật: tệp PNG)"
    check_refused(reporter, "anh.jpg", png.getvalue(), message)


def check_refused(reporter, name, data, message):
    before, stored = Image.objects.count(), files_under("original_images")
    response = upload_image(reporter, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    response = reporter.post(
        "/admin/images/multiple/add/", {"files[]": SimpleUploadedFile(name, data)}
    )
    answer = json.loads(response.content)
    assert answer["success"] is False and message in answer["error_message"]
    assert Image.objects.count() == before and files_under("original_images") == stored


def test_oversized_image_is_refused_with_the_limit(reporter, settings):
    data = photo_with_location()
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 500
    before = Image.objects.count()
    response = upload_image(reporter, "lon.jpg", data)
    assert response.status_code == 200
    assert "vượt giới hạn 500\xa0byte cho ảnh" in response.content.decode()
    assert Image.objects.count() == before


def upload_document(client, name, data):
    return client.post(
        "/admin/documents/add/",
        {"title": "Tài liệu", "file": SimpleUploadedFile(name, data), "tags": ""},
    )


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("cong-van.pdf", PDF_JS, "Tệp PDF «cong-van.pdf» chứa mã JavaScript"),
        ("cong-van.pdf", HTML, "Tệp «cong-van.pdf» chứa mã trang web / SVG / XML"),
        ("ghi-chu.txt", HTML, "Tệp «ghi-chu.txt» chứa mã trang web / SVG / XML"),
        ("bao-cao.docx", ELF, "Tệp «bao-cao.docx» là chương trình chạy được"),
        ("bao-cao.docx", PDF_PLAIN, "không khớp đuôi .docx (nội dung thật: tệp PDF)"),
        ("trang.html", b"<p>x</p>", "Không nhận tài liệu dạng .html"),
        ("bando.svg", SVG, "Tệp «bando.svg» chứa mã trang web / SVG / XML"),
    ],
)
def test_dangerous_documents_are_refused(reporter, name, data, message):
    before, stored = Document.objects.count(), files_under("documents")
    response = upload_document(reporter, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    answer = json.loads(
        reporter.post(
            "/admin/documents/multiple/add/", {"files[]": SimpleUploadedFile(name, data)}
        ).content
    )
    assert answer["success"] is False and message.split("«")[-1] in answer["error_message"]
    assert Document.objects.count() == before and files_under("documents") == stored


def test_plain_pdf_and_text_are_accepted_and_size_is_limited(reporter, settings):
    assert upload_document(reporter, "ke-hoach.pdf", PDF_PLAIN).status_code == 302
    assert upload_document(reporter, "ghi-chu.txt", "Lịch trực tuần".encode()).status_code == 302
    settings.HOITU_DOCUMENT_MAX_UPLOAD_SIZE = 100
    response = upload_document(reporter, "dai.pdf", PDF_PLAIN)
    assert "vượt giới hạn 100\xa0byte cho tài liệu" in response.content.decode()
    assert not Document.objects.filter(file__contains="dai").exists()


def test_html_renamed_mp3_is_refused_at_both_media_uploads(reporter):
    before, stored = MediaAsset.objects.count(), files_under("media")
    response = reporter.post(
        "/admin/media/audio/add/",
        {"title": "Bản tin", "file": SimpleUploadedFile("ban-tin.mp3", HTML), "tags": ""},
    )
    assert response.status_code == 200
    assert "Tệp «ban-tin.mp3» chứa mã trang web / SVG / XML" in response.content.decode()
    response = reporter.post(
        "/admin/media/audio/chooser/upload/",
        {
            "media-chooser-upload-title": "Bản tin",
            "media-chooser-upload-file": SimpleUploadedFile("ban-tin.mp3", HTML),
        },
    )
    assert "Tệp «ban-tin.mp3» chứa mã trang web" in json.loads(response.content)["html"]
    response = reporter.post(
        "/admin/media/video/add/",
        {"title": "Phóng sự", "file": SimpleUploadedFile("phong-su.mp4", ELF), "tags": ""},
    )
    assert "Tệp «phong-su.mp4» là chương trình chạy được" in response.content.decode()
    response = reporter.post(
        "/admin/media/video/add/",
        {"title": "Phóng sự", "file": SimpleUploadedFile("phong-su.mp4", b"xin chao " * 50)},
    )
    assert "không phải là âm thanh hay video" in response.content.decode()
    assert MediaAsset.objects.count() == before and files_under("media") == stored


def test_real_audio_still_uploads(reporter, tmp_path):
    import subprocess

    wav = tmp_path / "tone.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            str(wav),
        ],
        check=True,
        timeout=60,
    )
    response = reporter.post(
        "/admin/media/audio/add/",
        {"title": "Tiếng chuông", "file": SimpleUploadedFile("tone.wav", wav.read_bytes())},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert MediaAsset.objects.filter(title="Tiếng chuông").exists()
    assert os.path.exists(MediaAsset.objects.get(title="Tiếng chuông").file.path)
