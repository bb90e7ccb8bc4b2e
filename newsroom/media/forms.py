"""wagtailmedia's upload/edit form (WAGTAILMEDIA["MEDIA_FORM_BASE"]) in Vietnamese."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from wagtailmedia.forms import BaseMediaForm

from newsroom.uploads import check_upload

LABELS = {
    "title": ("Tiêu đề", "Ví dụ: Bản tin sáng 05/12 — lũ quét Mường Lát"),
    "file": ("Tệp âm thanh / video", ""),
    "collection": ("Thư mục (cơ quan)", ""),
    "thumbnail": ("Ảnh đại diện", "Không bắt buộc: video tự lấy ảnh ở giây thứ nhất."),
    "tags": ("Thẻ", "Cách nhau bằng dấu phẩy."),
}


class MediaForm(BaseMediaForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in LABELS.items():
            field = self.fields.get(name)
            if field is None:
                continue
            field.label = label
            field.help_text = help_text
            if name == "file" and field.widget.attrs.get("accept"):
                kinds = field.widget.attrs["accept"].replace(".", "").replace(",", ", ")
                field.help_text = f"Định dạng nhận: {kinds}."
            field.error_messages["required"] = f"Hãy nhập {label.lower()}."
        if "thumbnail" in self.fields and self.instance.type == "audio":
            self.fields["thumbnail"].help_text = "Không bắt buộc: ảnh hiện cạnh trình phát."
        if "file" in self.fields:
            self.fields["file"].error_messages.update(
                {
                    "required": "Hãy chọn tệp âm thanh / video để tải lên.",
                    "empty": "Tệp tải lên rỗng (0 byte).",
                    "invalid": "Không đọc được tệp tải lên; hãy chọn lại.",
                }
            )

    def _post_clean(self):
        """After the model's own checks (extension, size): the content must really be
        audio or video (not a page or program renamed .mp3); refused before anything is
        stored."""
        super()._post_clean()
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile) and "file" not in self.errors:
            try:
                check_upload(upload, "media")
            except ValidationError as exc:
                self.add_error("file", exc)
