"""Staff uploads: what a file really is, read from its content (magic bytes, `filetype`),
not from its name; size limits; active content refused (SVG, HTML, XML, scripts,
executables, PDF with JavaScript); photos re-encoded without their location metadata.

Used by Wagtail's image and document forms (WAGTAILIMAGES_IMAGE_FORM_BASE,
WAGTAILDOCS_DOCUMENT_FORM_BASE, so the single, multiple and chooser uploads all pass here)
and by wagtailmedia's form (newsroom.media.forms.MediaForm)."""

import io
import logging
import re
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

logger = logging.getLogger(__name__)

HEAD_BYTES = 8192
# Markup a browser would run or render: refused whatever the file is called.
ACTIVE_MARKUP = re.compile(
    rb"<\s*(svg|html|!doctype|script|\?xml|body|iframe|object|embed|head|meta)\b",
    re.IGNORECASE,
)
EXECUTABLES = {"exe", "elf", "swf", "wasm", "crx", "deb", "rpm", "cab", "nes"}
# PDF actions that run code or other files when the document opens.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")
IMAGE_KINDS = {"jpg", "png", "gif", "webp", "avif", "heic", "tif", "bmp"}
IMAGE_EXTENSIONS = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp"}
DOCUMENT_KINDS = {
    # extension → what the content must be (filetype's names)
    "pdf": {"pdf"},
    "doc": {"doc"},
    "xls": {"xls", "doc"},  # the OLE2 container: filetype cannot tell Word from Excel
    "ppt": {"ppt", "doc"},
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "pptx": {"pptx", "zip"},
    "odt": {"odt", "zip"},
    "ods": {"ods", "zip"},
    "odp": {"odp", "zip"},
    "rtf": {"rtf"},
    "zip": {"zip"},
    "txt": None,  # plain text: no signature, checked for active markup and binary
    "csv": None,
}
ORIENTATION = 0x0112


def _limit(kind: str) -> int:
    return {
        "image": settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE,
        "document": settings.HOITU_DOCUMENT_MAX_UPLOAD_SIZE,
        "media": settings.HOITU_MEDIA_MAX_UPLOAD_SIZE,
    }[kind]


KIND_NAMES = {"image": "ảnh", "document": "tài liệu", "media": "âm thanh / video"}


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _refuse(upload, message: str, code: str):
    logger.warning("Upload %r refused: %s", getattr(upload, "name", "?"), code)
    raise ValidationError(message, code=code)


def check_upload(upload, kind: str) -> str | None:
    """Raises a ValidationError (Vietnamese) unless `upload` is a safe `kind` ("image",
    "document", "media") file within its size limit; returns filetype's name for it."""
    name = PurePath(upload.name or "").name
    size = upload.size or 0
    limit = _limit(kind)
    if size > limit:
        _refuse(
            upload,
            f"Tệp «{name}» nặng {filesizeformat(size)}, vượt giới hạn "
            f"{filesizeformat(limit)} cho {KIND_NAMES[kind]}.",
            "too_large",
        )
    head = _head(upload)
    guessed = filetype.guess(head)
    found = guessed.extension if guessed else None
    if found in EXECUTABLES or head.startswith(b"#!") or head.startswith(b"MZ"):
        _refuse(upload, f"Tệp «{name}» là chương trình chạy được, không nhận.", "executable")
    if found is None and ACTIVE_MARKUP.search(head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024]):
        _refuse(
            upload,
            f"Tệp «{name}» chứa mã trang web / SVG / XML (có thể chạy mã độc), "
            "không nhận; hãy tải lên ảnh JPEG, PNG hoặc WebP.",
            "active_content",
        )
    extension = PurePath(name).suffix.lower().lstrip(".")
    if kind == "image" and found not in IMAGE_KINDS:
        _refuse(
            upload,
            f"Tệp «{name}» không phải là ảnh (nội dung thật: {_described(found)}).",
            "not_image",
        )
    if kind == "image" and IMAGE_EXTENSIONS.get(extension, found) != found:
        _refuse(
            upload,
            f"Nội dung tệp «{name}» không khớp đuôi .{extension} "
            f"(nội dung thật: {_described(found)}); hãy đặt lại đúng đuôi.",
            "mismatch",
        )
    if kind == "media":
        mime = guessed.mime if guessed else ""
        if not (mime.startswith(("audio/", "video/")) or _mpeg_ts(head) or _adts(head)):
            _refuse(
                upload,
                f"Tệp «{name}» không phải là âm thanh hay video "
                f"(nội dung thật: {_described(found)}).",
                "not_media",
            )
    if kind == "document":
        _check_document(upload, name, extension, found, head)
    return found


def _described(found: str | None) -> str:
    return f"tệp {found.upper()}" if found else "không rõ định dạng"


def _mpeg_ts(head: bytes) -> bool:
    return len(head) > 376 and head[0] == head[188] == head[376] == 0x47


def _adts(head: bytes) -> bool:
    return len(head) > 1 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0


def _check_document(upload, name, extension, found, head) -> None:
    if extension not in DOCUMENT_KINDS:
        _refuse(
            upload,
            f"Không nhận tài liệu dạng .{extension or '?'}; được phép: "
            + ", ".join(DOCUMENT_KINDS)
            + ".",
            "document_extension",
        )
    expected = DOCUMENT_KINDS[extension]
    if expected is None:
        if found is not None or b"\x00" in head or ACTIVE_MARKUP.search(head):
            _refuse(
                upload,
                f"Tệp «{name}» không phải văn bản thuần (nội dung thật: {_described(found)}).",
                "not_text",
            )
        return
    if found not in expected:
        _refuse(
            upload,
            f"Nội dung tệp «{name}» không khớp đuôi .{extension} "
            f"(nội dung thật: {_described(found)}).",
            "mismatch",
        )
    if found == "pdf" and _pdf_active(upload):
        _refuse(
            upload,
            f"Tệp PDF «{name}» chứa mã JavaScript hoặc tệp nhúng tự chạy, không nhận; "
            "hãy xuất lại PDF không có mã.",
            "pdf_active",
        )


def _pdf_active(upload) -> bool:
    upload.seek(0)
    tail = b""
    try:
        for chunk in upload.chunks():
            if PDF_ACTIVE.search(tail + chunk):
                return True
            tail = chunk[-32:]
    finally:
        upload.seek(0)
    return False


def without_location(upload):
    """The photo re-encoded by Pillow with no metadata but its orientation (EXIF GPS,
    camera serial, XMP, comments are dropped); same name and format."""
    from PIL import Image

    upload.seek(0)
    try:
        image = Image.open(upload)
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        _refuse(upload, f"Không đọc được ảnh «{upload.name}»; hãy chọn lại tệp.", "unreadable")
        raise AssertionError from exc  # _refuse always raises
    with image:
        fmt = "JPEG" if image.format == "MPO" else image.format
        exif = image.getexif()
        kept = Image.Exif()
        if exif.get(ORIENTATION):
            kept[ORIENTATION] = exif[ORIENTATION]
        options = {"exif": kept.tobytes()} if len(kept) else {}
        if fmt == "JPEG":
            options |= {"quality": "keep", "subsampling": "keep"}
        elif fmt == "GIF" and getattr(image, "is_animated", False):
            options |= {"save_all": True}
        elif fmt in {"WEBP", "AVIF", "HEIF"}:
            options |= {"quality": 90}
        if image.mode == "P" and "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
        out = io.BytesIO()
        image.save(out, format=fmt, icc_profile=image.info.get("icc_profile"), **options)
    upload.seek(0)
    return SimpleUploadedFile(
        upload.name, out.getvalue(), content_type=getattr(upload, "content_type", None)
    )


class SafeImageField(WagtailImageField):
    """Wagtail's image field, after the content check; the accepted photo is re-encoded."""

    def to_python(self, data):
        if isinstance(data, UploadedFile):
            check_upload(data, "image")
            data = without_location(data)
        return super().to_python(data)


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and type(field) is WagtailImageField:
            # Built by Wagtail's formfield callback: same field, with our checks first.
            field.__class__ = SafeImageField


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            check_upload(upload, "document")
        return upload
