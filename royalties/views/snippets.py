"""Each agency's frame in Snippets: genres, extra coefficients, unit values, fund and tax.
The editor-in-chief edits them; the managing editor reads them."""

from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from analytics.columns import VnNumberColumn
from newsroom.views.snippets import AgencyScopedForm, AgencyScopedViewSet, YesNoColumn

from ..models import Extra, Frame, Genre, UnitValue


class GenreViewSet(AgencyScopedViewSet):
    model = Genre
    icon = "list-ul"
    menu_label = "Thể loại, khung hệ số"
    base_form_class = AgencyScopedForm
    list_display = [
        "name",
        "medium",
        "min_coefficient",
        "max_coefficient",
        YesNoColumn(Genre, "active"),
        "agency",
    ]
    list_filter = ["agency", "medium", "active"]
    panels = [
        FieldPanel("agency"),
        FieldRowPanel([FieldPanel("medium"), FieldPanel("name")]),
        FieldRowPanel(
            [FieldPanel("min_coefficient"), FieldPanel("max_coefficient"), FieldPanel("sort_order")]
        ),
        FieldPanel("active"),
    ]


class ExtraViewSet(AgencyScopedViewSet):
    model = Extra
    icon = "plus-inverse"
    menu_label = "Hệ số tăng thêm"
    base_form_class = AgencyScopedForm
    list_display = ["name", "percent", YesNoColumn(Extra, "active"), "agency"]
    list_filter = ["agency", "active"]


class UnitValueViewSet(AgencyScopedViewSet):
    model = UnitValue
    icon = "date"
    menu_label = "Giá trị đơn vị hệ số"
    base_form_class = AgencyScopedForm
    list_display = [
        "agency",
        "effective_from",
        VnNumberColumn("base_salary", model=UnitValue, money=True),
        "share_percent",
        "basis",
    ]


class FrameViewSet(AgencyScopedViewSet):
    model = Frame
    icon = "cog"
    menu_label = "Quỹ và thuế"
    base_form_class = AgencyScopedForm
    list_display = [
        "agency",
        VnNumberColumn("monthly_fund", model=Frame, money=True),
        "tax_rate",
        VnNumberColumn("tax_threshold", model=Frame, money=True),
    ]
    panels = [
        FieldPanel("agency", read_only=True),
        FieldPanel("monthly_fund"),
        FieldRowPanel([FieldPanel("tax_rate"), FieldPanel("tax_threshold")]),
    ]


class RoyaltyFrameGroup(SnippetViewSetGroup):
    menu_label = "Quy chế nhuận bút"
    menu_icon = "doc-full"
    menu_order = 320
    items = (GenreViewSet, ExtraViewSet, UnitValueViewSet, FrameViewSet)
