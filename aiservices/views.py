from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from analytics.columns import VnNumberColumn
from newsroom.views.snippets import AgencyScopedViewSet

from .forms import AIPolicyForm, ProviderAccountForm
from .models import AIPolicy, CallLog, ProviderAccount, UsageMonth


class ProviderAccountViewSet(AgencyScopedViewSet):
    model = ProviderAccount
    icon = "key"
    menu_label = "Tài khoản nhà cung cấp"
    list_display = ["agency", "provider", "capability", "priority", "enabled"]
    list_filter = ["provider", "capability", "enabled"]
    panels = [
        FieldPanel("agency"),
        FieldPanel("provider"),
        FieldPanel("capability"),
        FieldPanel("enabled"),
        FieldPanel("priority"),
        FieldPanel("endpoint"),
        FieldPanel("voice"),
        FieldPanel("api_key"),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=ProviderAccountForm).bind_to_model(
            self.model
        )


class AIPolicyViewSet(AgencyScopedViewSet):
    model = AIPolicy
    icon = "lock"
    menu_label = "Chính sách dịch vụ AI"
    list_display = ["agency", "send_paid_text", "listen_to_paid"]
    panels = [FieldPanel("agency"), FieldPanel("send_paid_text"), FieldPanel("listen_to_paid")]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=AIPolicyForm).bind_to_model(self.model)


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Written only by the code that calls the providers: no one adds, edits or deletes."""

    def user_has_permission(self, user, action):
        return action in ("view",) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class UsageMonthViewSet(AgencyScopedViewSet):
    model = UsageMonth
    icon = "table"
    menu_label = "Lượt dùng theo tháng"
    # 3.261 ký tự, not 3261: the project's Vietnamese number column.
    list_display = [
        "month",
        "agency",
        "provider",
        "capability",
        VnNumberColumn("calls", model=UsageMonth),
        VnNumberColumn("failures", model=UsageMonth),
        VnNumberColumn("units", model=UsageMonth),
    ]
    list_filter = ["provider", "capability"]
    inspect_view_enabled = True


class CallLogViewSet(AgencyScopedViewSet):
    model = CallLog
    icon = "history"
    menu_label = "Nhật ký gọi dịch vụ"
    list_display = [
        "at",
        "agency",
        "provider",
        "capability",
        "ok",
        VnNumberColumn("units", model=CallLog),
        VnNumberColumn("duration_ms", model=CallLog),
        "subject",
    ]
    list_filter = ["provider", "capability", "ok"]
    inspect_view_enabled = True


register_permission_policy(UsageMonth, ReadOnlyPolicy(UsageMonth))
register_permission_policy(CallLog, ReadOnlyPolicy(CallLog))


class AIServicesGroup(SnippetViewSetGroup):
    menu_label = "Dịch vụ AI"
    menu_icon = "cogs"
    menu_order = 330
    items = (ProviderAccountViewSet, AIPolicyViewSet, UsageMonthViewSet, CallLogViewSet)
