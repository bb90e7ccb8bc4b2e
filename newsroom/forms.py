from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.widgets import SlugInput
from wagtail.models import Page

from .text import PAGE_SLUG_MAX_LENGTH, slug_js_formatters, vi_clean_slug, vi_slugify

NEWSROOM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_moment(moment) -> str:
    """07:30 ngày 05/12/2027, in the newsroom's time zone."""
    local = timezone.localtime(moment, NEWSROOM_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


class VietnameseSlugInput(SlugInput):
    """Wagtail's slug input (the `w-slug` controller that follows the title) with the
    Vietnamese transliteration run first: "Lũ quét Mường Lát" → "lu-quet-muong-lat"."""

    def __init__(self, attrs=None, **kwargs):
        kwargs.setdefault("formatters", slug_js_formatters())
        super().__init__(attrs, **kwargs)


class VietnameseSlugField(forms.SlugField):
    """The page slug as the server receives it: an ASCII slug is kept, anything typed raw
    (with spaces or diacritics, JavaScript off) is transliterated instead of refused."""

    widget = VietnameseSlugInput

    def to_python(self, value):
        return vi_clean_slug(super().to_python(value))


class VietnamesePageForm(WagtailAdminPageForm):
    """Base form of every page type of the newsroom: the slug is transliterated from
    Vietnamese in the browser and again on the server, and made from the title when it
    is left empty (Wagtail's own fallback would drop "đ" and keep nothing of "ư")."""

    slug = VietnameseSlugField(
        label="Đường dẫn",
        max_length=PAGE_SLUG_MAX_LENGTH,
        required=False,
        allow_unicode=False,
        help_text="Phần cuối địa chỉ của trang, không dấu, tự tạo từ tiêu đề: "
        "“Lũ quét Mường Lát” → lu-quet-muong-lat.",
        error_messages={
            "invalid": "Đường dẫn chỉ gồm chữ không dấu, chữ số và dấu gạch ngang.",
        },
    )

    def clean(self):
        cleaned = self.cleaned_data
        if "slug" in cleaned and not cleaned["slug"] and cleaned.get("title"):
            cleaned["slug"] = self._free_slug(vi_slugify(cleaned["title"], PAGE_SLUG_MAX_LENGTH))
        slug = cleaned.get("slug")
        if slug and not Page._slug_is_available(slug, self.parent_page, self.instance):
            self.add_error(
                "slug",
                f"Đường dẫn “{slug}” đã có trang khác dùng trong cùng mục; hãy sửa đường dẫn.",
            )
        return super().clean()

    def _free_slug(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`… if a sibling page already uses it."""
        candidate, suffix = base, 1
        while candidate and not Page._slug_is_available(candidate, self.parent_page, self.instance):
            suffix += 1
            candidate = f"{base}-{suffix}"
        return candidate


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member shown the Vietnamese way, family name first, with the login."""

    def label_from_instance(self, obj):
        return staff_label(obj)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return staff_label(obj)


def staff_label(user) -> str:
    name = user.get_full_name()  # family name first (newsroom/apps.py)
    return f"{name} ({user.get_username()})" if name else user.get_username()


# Set on the user object of a request by the "Viết bài" flow (see wagtail_hooks) so that
# the story form opened for an assignment starts with the assignment's commune & formats.
ASSIGNMENT_TO_WRITE_ATTR = "_newsroom_assignment_to_write"


def _page_agency(page):
    site = page.get_site() if page is not None else None
    outlet = getattr(site, "outlet", None) if site is not None else None
    return outlet.agency if outlet is not None else None


class StoryPageForm(VietnamesePageForm):
    """Refuses a story without headline or byline, an unknown place or commission, and a
    schedule in the past, each with a Vietnamese message (Wagtail then saves nothing).
    Bylines are the agency's journalists only; a new story starts signed by its author
    and, written from an assignment, with the assignment's commune and formats."""

    def __init__(self, *args, **kwargs):
        instance, user = kwargs.get("instance"), kwargs.get("for_user")
        bound = (args and args[0] is not None) or kwargs.get("data") is not None
        if instance is not None and instance.pk is None and not bound:
            self._prefill_new_story(instance, user, kwargs.get("parent_page"))
        super().__init__(*args, **kwargs)
        self._limit_bylines()
        self._limit_related()
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
        from .media.sharing import story_form_scope_media  # (models import this module)

        story_form_scope_media(self)  # own agency's cuts and cuts shared with it

    def _agency(self):
        return _page_agency(self.parent_page if self.instance.pk is None else self.instance)

    @staticmethod
    def _prefill_new_story(story, user, parent_page):
        from .models import StoryByline
        from .selectors import BYLINE_ROLES, agency_staff
        from .services import story_prefill_from_assignment

        agency = _page_agency(parent_page)
        if user is None or agency is None:
            return
        assignment = getattr(user, ASSIGNMENT_TO_WRITE_ATTR, None)
        if assignment is not None and assignment.agency_id == agency.pk:
            story_prefill_from_assignment(story=story, assignment=assignment)
        if not story.bylines.all() and agency_staff(agency, BYLINE_ROLES).filter(pk=user.pk):
            story.bylines = [StoryByline(author=user)]

    def _limit_bylines(self):
        """The byline pickers offer, and accept, only the agency's journalists (and anyone
        already signed on this story, so an older story can still be saved)."""
        from .selectors import BYLINE_ROLES, agency_staff

        bylines = self.formsets.get("bylines")
        agency = self._agency()
        if bylines is None or agency is None:
            return
        allowed = Q(pk__in=agency_staff(agency, BYLINE_ROLES).values("pk"))
        if self.instance.pk:
            # The editor shows the latest revision: its bylines live in memory.
            allowed |= Q(pk__in=[b.author_id for b in self.instance.bylines.all()])
        queryset = get_user_model().objects.filter(allowed).order_by("first_name", "last_name")
        message = f"Tác giả phải là phóng viên hoặc biên tập viên của {agency}."
        base_form = bylines.form

        class BylineForm(base_form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                field = self.fields["author"]
                self.fields["author"] = StaffChoiceField(
                    queryset=queryset,
                    required=field.required,
                    label=field.label,
                    widget=field.widget,
                    error_messages={"invalid_choice": message},
                )

        bylines.form = BylineForm

    def _limit_related(self):
        """The "Xem thêm" rows offer, and accept, the published stories of the story's
        own outlet (never another agency's story or a draft), and any story already
        listed, so a story whose related story was taken down can still be saved."""
        from .models import StoryPage

        related = self.formsets.get("related_links")
        page = self.parent_page if self.instance.pk is None else self.instance
        site = page.get_site() if page is not None else None
        if related is None or site is None:
            return
        allowed = Q(live=True, path__startswith=site.root_page.path)
        if self.instance.pk:
            allowed &= ~Q(pk=self.instance.pk)
            # The editor shows the latest revision: its list lives in memory.
            allowed |= Q(pk__in=[link.target_id for link in self.instance.related_links.all()])
        queryset = StoryPage.objects.filter(allowed)
        message = (
            "Mục Xem thêm chỉ nhận bài đã đăng của ấn phẩm này "
            f"({site.site_name or site.hostname}); bài đã chọn không hợp lệ."
        )
        base_form = related.form

        class RelatedForm(base_form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                field = self.fields["target"]
                self.fields["target"] = forms.ModelChoiceField(
                    queryset=queryset,
                    required=field.required,
                    label=field.label,
                    widget=field.widget,
                    error_messages={
                        "invalid_choice": message,
                        "required": "Hãy chọn một bài cho mục Xem thêm (hoặc xóa dòng trống).",
                    },
                )

        related.form = RelatedForm

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
        self._explain_schedule_errors(cleaned)
        self._refuse_repeated_related()
        return cleaned

    def _refuse_repeated_related(self):
        related = self.formsets.get("related_links")
        if related is None or not related.is_valid():
            return  # the formset reports its own errors
        seen = set()
        for form in related.forms:
            target = getattr(form, "cleaned_data", {}).get("target")
            if target is None or form.cleaned_data.get("DELETE"):
                continue
            if target.pk in seen:
                form.add_error("target", f"“{target.title}” đã có trong mục Xem thêm.")
            seen.add(target.pk)

    def _explain_schedule_errors(self, cleaned):
        # The schedule's own fields sit in a dialog that is closed after the page reloads:
        # say at the top of the editor (a non-field error, listed in Wagtail's message) what
        # is wrong with the schedule and that nothing was saved or scheduled. Wagtail checks
        # the expiry itself after this form's clean (its mixin comes first in the MRO), so
        # the same conditions are read here from the typed values.
        # A field with an error has left `cleaned_data`: read the typed values again.
        go_live_at, expire_at = self._typed("go_live_at"), self._typed("expire_at")
        now = timezone.now()
        if go_live_at and go_live_at <= now and "go_live_at" in self.errors:
            problem = f"thời điểm lên bài {local_moment(go_live_at)} đã qua"
        elif go_live_at and expire_at and expire_at < go_live_at:
            problem = (
                f"thời điểm hết hạn {local_moment(expire_at)} phải sau thời điểm lên bài "
                f"{local_moment(go_live_at)}"
            )
        elif expire_at and expire_at < now:
            problem = f"thời điểm hết hạn {local_moment(expire_at)} đã qua"
        elif {"go_live_at", "expire_at"} & set(self.errors):
            problem = "ngày giờ chưa hợp lệ"
        else:
            return
        self.add_error(
            None,
            f"Lịch đăng không hợp lệ: {problem}. Bài chưa được lưu, chưa được hẹn giờ; "
            "hãy chọn lại lịch đăng.",
        )
        # Wagtail lists the errors in this order at the top: the explanation first.
        errors = self._errors
        self._errors = type(errors)({NON_FIELD_ERRORS: errors.pop(NON_FIELD_ERRORS)} | errors)

    def _typed(self, name):
        field = self.fields.get(name)
        if field is None:
            return None
        raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        try:
            return field.clean(raw)
        except forms.ValidationError:
            return None

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
