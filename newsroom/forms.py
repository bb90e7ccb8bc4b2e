from django import forms
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm


class StoryPageForm(WagtailAdminPageForm):
    """Refuses a story without byline and a schedule in the past, in Vietnamese."""

    def clean(self):
        cleaned = super().clean()
        bylines = self.formsets.get("bylines")
        has_byline = False
        if bylines is not None:
            for form in bylines.forms:
                if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                    continue
                if form.cleaned_data.get("DELETE"):
                    continue
                if form.cleaned_data.get("author"):
                    has_byline = True
        if not has_byline and not (cleaned.get("contributors") or "").strip():
            self.add_error(
                "contributors",
                "Tin bài phải có ít nhất một tác giả (phóng viên hoặc cộng tác viên).",
            )
        go_live_at = cleaned.get("go_live_at")
        if go_live_at and "go_live_at" in self.changed_data and go_live_at <= timezone.now():
            self.add_error(
                "go_live_at",
                "Thời điểm lên lịch đăng đã qua; hãy chọn một thời điểm trong tương lai.",
            )
        return cleaned


class TakedownForm(forms.Form):
    reason = forms.CharField(
        label="Lý do gỡ bài",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=1000,
        error_messages={
            "required": "Phải ghi lý do gỡ bài.",
            "min_length": "Lý do gỡ bài quá ngắn (ít nhất %(limit_value)d ký tự).",
        },
    )
