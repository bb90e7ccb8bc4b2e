from django import forms
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm


class StoryPageForm(WagtailAdminPageForm):
    """Refuses a story without headline or byline, an unknown place or commission, and a
    schedule in the past, each with a Vietnamese message (Wagtail then saves nothing)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        if "title" in fields:
            fields["title"].error_messages["required"] = "Tin bài phải có tiêu đề."
        if "standfirst" in fields:
            fields["standfirst"].error_messages["required"] = "Tin bài phải có sapo."
        if "place" in fields:
            fields["place"].error_messages["invalid_choice"] = (
                "Địa bàn không có trong danh mục xã/phường của Thanh Hóa."
            )
        if "commission" in fields:
            fields["commission"].error_messages["invalid_choice"] = (
                "Đặt hàng không tồn tại hoặc không thuộc cơ quan của tòa soạn này."
            )
            agency = self._agency()
            if agency is not None:
                # A story can only count towards its own agency's State commissions.
                fields["commission"].queryset = fields["commission"].queryset.filter(agency=agency)

    def _agency(self):
        page = self.parent_page if self.instance.pk is None else self.instance
        site = page.get_site() if page is not None else None
        outlet = getattr(site, "outlet", None) if site is not None else None
        return outlet.agency if outlet is not None else None

    def clean(self):
        cleaned = super().clean()
        # A draft may be saved unfinished (Wagtail defers required fields on "save" and
        # autosave); a story going to the desk or to the reader must carry a byline.
        if not getattr(self, "is_deferred_validation", False) and not self._has_byline(cleaned):
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

    def _has_byline(self, cleaned) -> bool:
        if (cleaned.get("contributors") or "").strip():
            return True
        bylines = self.formsets.get("bylines")
        # ClusterForm validates its formsets after the form itself: do it now to read them.
        if bylines is None or not bylines.is_valid():
            return bylines is not None  # the formset reports its own errors
        return any(
            form.cleaned_data.get("author") and not form.cleaned_data.get("DELETE")
            for form in bylines.forms
            if getattr(form, "cleaned_data", None)
        )


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


class AgencyMergeForm(forms.Form):
    source = forms.ModelChoiceField(
        label="Cơ quan được sáp nhập",
        queryset=None,
        error_messages={"invalid_choice": "Cơ quan không tồn tại hoặc đã được sáp nhập."},
    )
    target = forms.ModelChoiceField(
        label="Sáp nhập vào cơ quan",
        queryset=None,
        error_messages={"invalid_choice": "Cơ quan không tồn tại hoặc đã được sáp nhập."},
    )
    on_date = forms.DateField(
        label="Ngày sáp nhập",
        # <input type="date"> reads and posts ISO whatever the language's formats say.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Ngày sáp nhập không hợp lệ."},
    )

    def __init__(self, *args, **kwargs):
        from .models import Agency

        super().__init__(*args, **kwargs)
        # Only agencies still standing may merge; a merged one is refused as unknown here
        # and again by the service.
        active = Agency.objects.filter(merged_into__isnull=True)
        self.fields["source"].queryset = active
        self.fields["target"].queryset = active

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("source") == cleaned.get("target"):
            raise forms.ValidationError("Không thể sáp nhập một cơ quan vào chính nó.")
        return cleaned
