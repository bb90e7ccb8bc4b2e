from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from analytics.columns import VnNumberColumn

from .models import Institution, LedgerEntry, Order, Plan, PromoCode, Subscription
from .selectors import figures_sites
from .views import dashboard_view


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Money records are written by services only (IPN, cancellation), never by hand: an
    order's or a subscription's state changes only along `services.ORDER_TRANSITIONS`."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete", "lock", "unlock"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class PlanViewSet(SnippetViewSet):
    model = Plan
    icon = "tag"
    menu_label = "Gói cước"
    list_display = [
        "name",
        "site",
        VnNumberColumn("price", model=Plan, money=True),
        "duration_days",
        "is_active",
    ]
    list_filter = ["site", "is_active"]


class PromoCodeViewSet(SnippetViewSet):
    model = PromoCode
    icon = "tag"
    menu_label = "Mã khuyến mại"
    list_display = ["code", "kind", "value", "valid_until", "used_count", "max_uses"]


class InstitutionViewSet(SnippetViewSet):
    model = Institution
    icon = "group"
    menu_label = "Thuê bao tổ chức"
    list_display = ["name", "site", "email_domain", "seat_limit", "valid_until", "is_active"]


class SubscriptionViewSet(SnippetViewSet):
    model = Subscription
    icon = "user"
    menu_label = "Thuê bao"
    list_display = ["user", "plan", "site", "status", "starts_at", "ends_at"]
    list_filter = ["status", "site"]
    inspect_view_enabled = True


class OrderViewSet(SnippetViewSet):
    model = Order
    icon = "list-ul"
    menu_label = "Đơn thanh toán"
    list_display = [
        "reference",
        "user",
        "plan",
        "gateway",
        VnNumberColumn("amount", model=Order, money=True),
        "status",
        "created_at",
    ]
    list_filter = ["status", "gateway", "site"]
    inspect_view_enabled = True


class LedgerViewSet(SnippetViewSet):
    """Read-only listing: the ledger is append-only (the model refuses edits)."""

    model = LedgerEntry
    icon = "doc-full"
    menu_label = "Sổ doanh thu"
    list_display = [
        "created_at",
        "kind",
        VnNumberColumn("amount", model=LedgerEntry, money=True),
        "site",
        "plan",
        "gateway",
        "gateway_ref",
    ]
    list_filter = ["kind", "gateway", "site"]
    inspect_view_enabled = True


class PaywallGroup(SnippetViewSetGroup):
    menu_label = "Thu phí"
    menu_icon = "lock"
    menu_order = 400
    items = (
        PlanViewSet,
        PromoCodeViewSet,
        InstitutionViewSet,
        SubscriptionViewSet,
        OrderViewSet,
        LedgerViewSet,
    )


register_permission_policy(Order, ReadOnlyPolicy(Order))
register_permission_policy(Subscription, ReadOnlyPolicy(Subscription))
register_permission_policy(LedgerEntry, ReadOnlyPolicy(LedgerEntry))
register_snippet(PaywallGroup)


@hooks.register("register_admin_urls")
def register_dashboard_url():
    from .admin_views import order_refund

    return [
        path("thu-phi/so-lieu/", dashboard_view, name="paywall_dashboard"),
        path("thu-phi/don/<int:pk>/hoan-tien/", order_refund, name="paywall_order_refund"),
    ]


@hooks.register("register_snippet_listing_buttons")
def order_refund_button(snippet, user, next_url=None):
    """ "Hoàn tiền" on a paid order's row, for staff allowed to refund."""
    from wagtail.admin.widgets import ListingButton

    from .refunds import can_refund

    if isinstance(snippet, Order) and snippet.status == "paid" and can_refund(user):
        yield ListingButton(
            "Hoàn tiền",
            reverse("paywall_order_refund", args=[snippet.pk]),
            icon_name="undo",
            priority=30,
        )


class DashboardMenuItem(MenuItem):
    """Shown to whoever the figures view lets in: an editor-in-chief, the superuser."""

    def is_shown(self, request):
        sites = figures_sites(request.user)
        return sites is None or sites.exists()


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return DashboardMenuItem(
        "Số liệu thu phí", reverse("paywall_dashboard"), icon_name="lock", order=410
    )
