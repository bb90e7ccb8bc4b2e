"""Snippet admin for the facts entered by hand, scoped to the user's agencies."""

import django_filters
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from newsroom.views.snippets import AgencyScopedForm, AgencyScopedViewSet, YesNoColumn

from ..columns import VnNumberColumn
from ..models import (
    AgencyYearStatus,
    IndicatorTarget,
    MaturityAssessment,
    PlatformRevenue,
    Population,
    PrintCirculation,
    Reach,
    TrainingRecord,
)


class PrintCirculationFilterSet(WagtailFilterSet):
    # A period of issues, typed or picked as 25/12/2026 like every admin date.
    issue_date = django_filters.DateFromToRangeFilter(
        label="Ngày phát hành", widget=DateRangePickerWidget
    )

    class Meta:
        model = PrintCirculation
        fields = ["agency", "place__kind", "issue_date"]


class PrintCirculationViewSet(AgencyScopedViewSet):
    model = PrintCirculation
    icon = "doc-full"
    menu_label = "Phát hành báo in"
    base_form_class = AgencyScopedForm
    list_display = [
        "agency",
        "issue_date",
        "place",
        VnNumberColumn("copies", model=PrintCirculation),
    ]
    filterset_class = PrintCirculationFilterSet


class ReachViewSet(AgencyScopedViewSet):
    model = Reach
    icon = "group"
    menu_label = "Tiếp cận thiết yếu"
    base_form_class = AgencyScopedForm
    list_display = ["place", "year", VnNumberColumn("people", model=Reach), "agency", "source"]
    list_filter = ["year"]

    def get_queryset(self, request):
        from django.db.models import Q

        from newsroom.selectors import user_agencies

        # Rows without an agency are the province's: everyone who enters data sees them.
        return Reach.objects.filter(
            Q(agency__in=user_agencies(request.user)) | Q(agency__isnull=True)
        )


class PopulationViewSet(SnippetViewSet):
    model = Population
    icon = "user"
    menu_label = "Dân số xã/phường"
    list_display = ["place", "year", VnNumberColumn("people", model=Population)]
    list_filter = ["year"]


class AgencyYearStatusViewSet(AgencyScopedViewSet):
    model = AgencyYearStatus
    icon = "tick-inverse"
    menu_label = "Tự chủ, đặt hàng, hội tụ"
    base_form_class = AgencyScopedForm
    list_display = [
        "agency",
        "year",
        *(
            YesNoColumn(AgencyYearStatus, name)
            for name in ("autonomous", "state_commissioned", "converged")
        ),
    ]


class PlatformRevenueViewSet(AgencyScopedViewSet):
    model = PlatformRevenue
    icon = "tag"
    menu_label = "Doanh thu nền tảng số"
    base_form_class = AgencyScopedForm
    list_display = [
        "agency",
        "year",
        "month",
        "source",
        VnNumberColumn("amount", model=PlatformRevenue, money=True),
    ]
    list_filter = ["year", "agency"]


class TrainingRecordViewSet(AgencyScopedViewSet):
    model = TrainingRecord
    icon = "user"
    menu_label = "Đào tạo chuyển đổi số"
    base_form_class = AgencyScopedForm
    list_display = ["person", "agency", "course", "completed_on", "hours"]


class MaturityAssessmentViewSet(AgencyScopedViewSet):
    model = MaturityAssessment
    icon = "pick"
    menu_label = "Tự đánh giá mức độ CĐS"
    base_form_class = AgencyScopedForm
    list_display = ["agency", "year", Column("total", label="Tổng điểm")]


class IndicatorTargetViewSet(SnippetViewSet):
    model = IndicatorTarget
    icon = "order"
    menu_label = "Chỉ tiêu kế hoạch"
    list_display = ["indicator", "year", "label", "source"]


class HandEnteredGroup(SnippetViewSetGroup):
    menu_label = "Số liệu chỉ tiêu"
    menu_icon = "table"
    menu_order = 310
    items = (
        PrintCirculationViewSet,
        PopulationViewSet,
        ReachViewSet,
        AgencyYearStatusViewSet,
        PlatformRevenueViewSet,
        TrainingRecordViewSet,
        MaturityAssessmentViewSet,
        IndicatorTargetViewSet,
    )
