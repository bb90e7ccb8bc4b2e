"""Admin for the newsroom's snippets, scoped to the user's agencies."""

from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.text import capfirst
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.chooser import ChooseResultsView as SnippetChooseResultsView
from wagtail.snippets.views.chooser import ChooseView as SnippetChooseView
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.snippets.widgets import AdminSnippetChooser

from ..forms import StaffMultipleChoiceField, staff_label
from ..models import Agency, Assignment, Commission, Format, Outlet, Place, SectionPage
from ..selectors import ASSIGNEE_ROLES, agency_staff, user_agencies
from ..text import matches_folded


def agency_scoped(model, user, lookup: str):
    """The records of `model` that belong to the agencies `user` may see."""
    return model._default_manager.filter(**{lookup: user_agencies(user)})


class AgencyScopedObjectMixin:
    """Refuses to open another agency's record, whatever the view (edit, inspect, delete,
    history, usage, revisions, preview, lock, workflow...), even by guessing its address:
    the check runs in `setup()`, before any view loads the object."""

    agency_lookup = "agency__in"

    def setup(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            visible = agency_scoped(self.model, request.user, self.agency_lookup)
            if not visible.filter(pk=unquote(str(pk))).exists():
                raise PermissionDenied("Bản ghi này thuộc cơ quan khác.")
        super().setup(request, *args, **kwargs)


def _agency_lookup(model) -> str:
    return "pk__in" if model is Agency else "agency__in"


class AgencyScopedChooserMixin:
    """The snippet chooser (a story's or assignment's commission) lists and accepts only
    the user's agencies' records."""

    def _scoped(self, queryset):
        lookup = _agency_lookup(queryset.model)
        return queryset.filter(**{lookup: user_agencies(self.request.user)})

    def get_object_list(self):
        return self._scoped(super().get_object_list())

    def get_object(self, pk):
        return self._scoped(self.model_class.objects.all()).get(pk=pk)

    def get_objects(self, pks):
        return self._scoped(super().get_objects(pks))


class AgencyScopedChooserViewSet(SnippetChooserViewSet):
    def construct_view(self, view_class, **kwargs):
        scoped = type(
            f"AgencyScoped{view_class.__name__}", (AgencyScopedChooserMixin, view_class), {}
        )
        return super().construct_view(scoped, **kwargs)


class YesNoColumn(Column):
    """A yes/no field read as "Có"/"Không" (Wagtail's listing would print True/False)."""

    def __init__(self, model, name):
        super().__init__(name, label=capfirst(model._meta.get_field(name).verbose_name))

    def get_value(self, instance):
        return "Có" if super().get_value(instance) else "Không"


class AgencyScopedViewSet(SnippetViewSet):
    agency_lookup = "agency__in"
    chooser_viewset_class = AgencyScopedChooserViewSet
    # The form the create and edit views build on (an AgencyScopedForm offers only the
    # user's own agencies). Wagtail's SnippetViewSet has no such attribute: without
    # get_edit_handler below it would be ignored and the model's default form used.
    base_form_class = None

    def get_edit_handler(self):
        handler = super().get_edit_handler()
        if self.base_form_class is None:
            return handler
        kwargs = handler.clone_kwargs()
        kwargs["base_form_class"] = self.base_form_class
        return type(handler)(**kwargs).bind_to_model(self.model)

    def get_queryset(self, request):
        return agency_scoped(self.model, request.user, self.agency_lookup)

    def construct_view(self, view_class, **kwargs):
        scoped = type(
            f"AgencyScoped{view_class.__name__}",
            (AgencyScopedObjectMixin, view_class),
            {"agency_lookup": self.agency_lookup},
        )
        return super().construct_view(scoped, **kwargs)


class AgencyScopedForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("agency")
        if field is None:
            return
        if for_user is not None:
            field.queryset = user_agencies(for_user)
            # Staff of one agency (nearly everyone) find it already chosen on a new record.
            if not self.instance.pk and not self.is_bound and "agency" not in self.initial:
                only = list(field.queryset.values_list("pk", flat=True)[:2])
                if len(only) == 1:
                    self.initial["agency"] = only[0]
        field.error_messages["invalid_choice"] = (
            "Cơ quan không hợp lệ hoặc không thuộc quyền của bạn."
        )
        field.error_messages["required"] = "Hãy chọn cơ quan báo chí."


class AgencyViewSet(AgencyScopedViewSet):
    model = Agency
    icon = "group"
    menu_label = "Cơ quan báo chí"
    menu_order = 100
    agency_lookup = "pk__in"
    list_display = ["name", "licence_number", "editor_in_chief", "merged_into"]
    inspect_view_enabled = True


class OutletViewSet(AgencyScopedViewSet):
    model = Outlet
    icon = "site"
    menu_label = "Ấn phẩm"
    list_display = ["name", "agency", "kind", "site"]
    inspect_view_enabled = True


class FoldedPlaceSearchForm(BaseFilterForm):
    """The commune chooser's search: typed with or without diacritics ("muong lat",
    "Mường Lát"), against the commune's name folded the same way. The register holds the
    province's 166 communes and wards, so they are folded in Python, on any database."""

    q = forms.CharField(
        label="Tìm xã/phường",
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "Gõ tên xã/phường, có dấu hay không dấu", "autofocus": True}
        ),
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if not query:
            return objects
        self.is_searching, self.search_query = True, query
        ids = [pk for pk, name in objects.values_list("pk", "name") if matches_folded(query, name)]
        return objects.filter(pk__in=ids)


class PlaceChooseView(SnippetChooseView):
    filter_form_class = FoldedPlaceSearchForm


class PlaceChooseResultsView(SnippetChooseResultsView):
    filter_form_class = FoldedPlaceSearchForm


class PlaceChooserWidget(AdminSnippetChooser):
    """The commune picker's buttons, in Vietnamese."""

    clear_choice_text = "Bỏ chọn"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_one_text = "Chọn xã/phường"
        self.choose_another_text = "Chọn xã/phường khác"
        self.link_to_chosen_text = "Xem xã/phường"


class PlaceChooserViewSet(SnippetChooserViewSet):
    choose_view_class = PlaceChooseView
    choose_results_view_class = PlaceChooseResultsView
    base_widget_class = PlaceChooserWidget
    choose_one_text = "Chọn xã/phường"


class PlaceViewSet(SnippetViewSet):
    model = Place
    chooser_viewset_class = PlaceChooserViewSet
    icon = "globe"
    menu_label = "Địa bàn"
    list_display = ["name", "code", "kind", "is_mountainous", "is_remote", "is_border"]
    list_filter = ["kind", "is_mountainous", "is_remote", "is_border"]
    search_fields = ["name"]
    panels = [
        FieldPanel("name", read_only=True),
        FieldPanel("code", read_only=True),
        FieldPanel("kind", read_only=True),
        FieldRowPanel(
            [FieldPanel("is_mountainous"), FieldPanel("is_remote"), FieldPanel("is_border")]
        ),
    ]


class CommissionViewSet(AgencyScopedViewSet):
    model = Commission
    icon = "doc-full"
    menu_label = "Đặt hàng"
    list_display = ["topic", "agency", "year", "ordering_body"]
    list_filter = ["year", "agency"]
    inspect_view_enabled = True
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("ordering_body"),
            FieldRowPanel(
                [FieldPanel("year"), FieldPanel("contract_number"), FieldPanel("budget")]
            ),
            FieldPanel("topic"),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel("quota_text"),
                            FieldPanel("quota_photo"),
                            FieldPanel("quota_radio"),
                            FieldPanel("quota_tv"),
                        ]
                    )
                ],
                heading="Chỉ tiêu theo loại hình",
            ),
        ],
        base_form_class=AgencyScopedForm,
    )


class AssignmentForm(AgencyScopedForm):
    formats = forms.MultipleChoiceField(
        label="Loại hình cần",
        choices=Format.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Loại hình %(value)s không hợp lệ."},
    )
    reporters = StaffMultipleChoiceField(
        label="Phóng viên thực hiện",
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Phóng viên và biên tập viên của cơ quan giao việc.",
        error_messages={
            "invalid_choice": "Người được giao không phải phóng viên hay biên tập viên "
            "của cơ quan bạn."
        },
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None:
            homes = [
                o.site.root_page
                for o in Outlet.objects.filter(agency__in=user_agencies(for_user)).select_related(
                    "site__root_page"
                )
            ]
            sections = SectionPage.objects.none()
            for home in homes:
                sections = sections | SectionPage.objects.child_of(home)
            self.fields["section"].queryset = sections
            self.fields["commission"].queryset = Commission.objects.filter(
                agency__in=user_agencies(for_user)
            )
        self.fields["section"].error_messages["invalid_choice"] = (
            "Chuyên mục không tồn tại hoặc không thuộc cơ quan của bạn."
        )
        self.fields["place"].error_messages["invalid_choice"] = (
            "Địa bàn không có trong danh mục xã/phường của Thanh Hóa."
        )
        agencies = user_agencies(for_user) if for_user is not None else Agency.objects.none()
        if self.instance.agency_id:
            agencies = Agency.objects.filter(pk=self.instance.agency_id)
        self.fields["reporters"].queryset = agency_staff(agencies, ASSIGNEE_ROLES)

    def clean(self):
        cleaned = super().clean()
        agency = cleaned.get("agency") or (
            self.instance.agency if self.instance.agency_id else None
        )
        reporters = cleaned.get("reporters")
        if agency is not None and reporters:
            staff = agency_staff(agency, ASSIGNEE_ROLES)
            outsiders = [r for r in reporters if not staff.filter(pk=r.pk).exists()]
            if outsiders:
                names = ", ".join(staff_label(r) for r in outsiders)
                self.add_error(
                    "reporters",
                    f"{names} không phải phóng viên hay biên tập viên của {agency}; "
                    "chỉ giao việc cho người của cơ quan.",
                )
        return cleaned


class AssignmentViewSet(AgencyScopedViewSet):
    model = Assignment
    icon = "tasks"
    menu_label = "Giao việc"
    menu_order = 90
    add_to_admin_menu = True
    list_display = ["title", "section", "deadline", "status", "priority"]
    list_filter = ["status", "priority", "agency"]
    search_fields = ["title", "brief"]
    inspect_view_enabled = True
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("title"),
            FieldPanel("brief"),
            FieldPanel("formats"),
            FieldRowPanel([FieldPanel("section"), FieldPanel("place")]),
            FieldRowPanel([FieldPanel("deadline"), FieldPanel("priority"), FieldPanel("status")]),
            FieldPanel("reporters"),
            FieldRowPanel([FieldPanel("story"), FieldPanel("commission")]),
        ],
        base_form_class=AssignmentForm,
    )
