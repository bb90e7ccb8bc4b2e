"""Staff views of broadcasting and the media pipeline, inside the Wagtail admin."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from ..broadcast_selectors import rundown_timing, rundowns_for_user
from ..broadcast_services import CSV_COLUMNS, schedule_import_csv
from ..media.services import media_asset_retry
from ..models import (
    BroadcastSlot,
    Channel,
    MediaAsset,
    Outlet,
    Programme,
    Rundown,
    StoryPage,
)
from ..selectors import user_agencies
from .snippets import AgencyScopedForm, AgencyScopedViewSet, YesNoColumn


@require_POST
def media_retry(request, pk):
    asset = get_object_or_404(MediaAsset, pk=pk)
    if not asset.is_editable_by_user(request.user):
        raise PermissionDenied
    media_asset_retry(asset=asset, user=request.user)
    messages.success(request, f"Đã đưa «{asset.title}» vào hàng đợi xử lý lại.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("wagtailmedia:edit", args=[asset.pk])
    return redirect(target)


def rundown_print(request, pk):
    rundown = rundowns_for_user(request.user).filter(pk=pk).first()
    if rundown is None:
        raise Http404("Không có kịch bản này hoặc kịch bản thuộc cơ quan khác.")
    return render(
        request,
        "newsroom/broadcast/rundown_print.html",
        {"rundown": rundown, "timing": rundown_timing(rundown)},
    )


class ScheduleImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp CSV",
        help_text="Các cột: "
        + ", ".join(CSV_COLUMNS)
        + ". Giờ Việt Nam dạng 01/12/2025 06:30 (ngày/tháng/năm) hoặc 2025-12-01 06:30.",
    )


def schedule_import(request):
    if not request.user.has_perm("newsroom.add_broadcastslot"):
        raise PermissionDenied
    result = None
    form = ScheduleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = schedule_import_csv(
            data=form.cleaned_data["file"].read(), agencies=user_agencies(request.user)
        )
        if result.ok:
            messages.success(request, f"Đã nhập {len(result.created)} khung giờ phát sóng.")
        else:
            messages.error(request, "Không nhập gì: tệp có lỗi, xem danh sách bên dưới.")
    return render(
        request, "newsroom/broadcast/schedule_import.html", {"form": form, "result": result}
    )


class ChannelForm(AgencyScopedForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None:
            self.fields["outlet"].queryset = Outlet.objects.filter(
                agency__in=user_agencies(for_user)
            )


class ChannelViewSet(AgencyScopedViewSet):
    model = Channel
    icon = "media"
    menu_label = "Kênh"
    agency_lookup = "outlet__agency__in"
    list_display = ["name", "kind", "outlet", YesNoColumn(Channel, "is_active")]
    edit_handler = ObjectList(
        [
            FieldPanel("outlet"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind")]),
            FieldPanel("live_url"),
            FieldPanel("logo"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
        ],
        base_form_class=ChannelForm,
    )


class BroadcastForm(AgencyScopedForm):
    """Offers (and accepts) only the user's own agencies' channels and programmes."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None:
            return
        agencies = user_agencies(for_user)
        if "channel" in self.fields:
            self.fields["channel"].queryset = Channel.objects.filter(outlet__agency__in=agencies)
            self.fields["channel"].error_messages["invalid_choice"] = (
                "Kênh không tồn tại hoặc không thuộc cơ quan của bạn."
            )
        if "programme" in self.fields:
            self.fields["programme"].queryset = Programme.objects.filter(
                channel__outlet__agency__in=agencies
            )


class ProgrammeViewSet(AgencyScopedViewSet):
    model = Programme
    icon = "list-ul"
    menu_label = "Chương trình"
    agency_lookup = "channel__outlet__agency__in"
    list_display = ["name", "channel", YesNoColumn(Programme, "is_podcast")]
    list_filter = ["channel", "is_podcast"]
    edit_handler = ObjectList(Programme.panels, base_form_class=BroadcastForm)


class SlotViewSet(AgencyScopedViewSet):
    model = BroadcastSlot
    icon = "date"
    menu_label = "Lịch phát sóng"
    agency_lookup = "channel__outlet__agency__in"
    list_display = [
        Column("display_title", label="Tiêu đề"),
        "channel",
        "starts_at",
        "ends_at",
        "catch_up",
    ]
    list_filter = ["channel"]
    ordering = ["-starts_at"]
    edit_handler = ObjectList(BroadcastSlot.panels, base_form_class=BroadcastForm)


class PrintColumn(Column):
    cell_template_name = "newsroom/broadcast/admin_print_cell.html"

    def get_value(self, instance):
        return reverse("newsroom_rundown_print", args=[instance.pk])


class RundownForm(BroadcastForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None:
            agencies = user_agencies(for_user)
            self.fields["programme"].queryset = Programme.objects.filter(
                channel__outlet__agency__in=agencies
            )
            self.fields["slot"].queryset = BroadcastSlot.objects.filter(
                channel__outlet__agency__in=agencies
            )
            homes = [
                c.outlet.site.root_page
                for c in Channel.objects.filter(outlet__agency__in=agencies).select_related(
                    "outlet__site__root_page"
                )
            ]
            stories = StoryPage.objects.none()
            for home in homes:
                stories = stories | StoryPage.objects.descendant_of(home)
            for form in self.formsets["items"].forms:
                form.fields["story"].queryset = stories


class RundownViewSet(AgencyScopedViewSet):
    model = Rundown
    icon = "list-ol"
    menu_label = "Kịch bản chương trình"
    agency_lookup = "programme__channel__outlet__agency__in"
    list_display = ["title", "programme", "air_at", PrintColumn("print", label="Bản in")]
    list_filter = ["programme"]
    edit_handler = ObjectList(Rundown.panels, base_form_class=RundownForm)


class BroadcastGroup(SnippetViewSetGroup):
    menu_label = "Phát sóng"
    menu_icon = "media"
    menu_order = 95
    items = (ChannelViewSet, ProgrammeViewSet, SlotViewSet, RundownViewSet)
