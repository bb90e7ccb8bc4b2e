from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from newsroom.views.snippets import AgencyScopedViewSet

from ..forms import CREDENTIAL_FIELDS, PlatformForm
from ..models import PartnerKey, Platform, SharingPolicy
from ..selectors import user_platforms


# Scoped like the newsroom's snippets: another agency's platform or policy cannot be
# opened, edited or deleted by its address either (Wagtail's generic views fetch the
# object by pk with the model permission only).
class PlatformViewSet(AgencyScopedViewSet):
    model = Platform
    icon = "site"
    menu_label = "Nền tảng phân phối"
    add_to_admin_menu = False
    list_display = ["name", "agency", "kind", "transport", "enabled"]
    list_filter = ["kind", "enabled"]
    panels = [
        FieldPanel("agency"),
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("enabled"),
        FieldPanel("endpoint"),
        FieldPanel("token_endpoint"),
        FieldPanel("host_key_fingerprint"),
        FieldPanel("tls_ca_certificate"),
        FieldPanel("ftp_plaintext_allowed"),
        MultiFieldPanel(
            [FieldPanel(f"cred_{name}") for name in CREDENTIAL_FIELDS],
            heading="Thông tin xác thực (mã hóa khi lưu, không hiển thị lại)",
        ),
    ]

    def get_form_class(self, for_update=False):
        return self.get_edit_handler().get_form_class()

    def get_edit_handler(self):
        from wagtail.admin.panels import ObjectList

        return ObjectList(self.panels, base_form_class=PlatformForm).bind_to_model(self.model)

    def get_queryset(self, request):
        return user_platforms(request.user).select_related("agency")


class SharingPolicyViewSet(AgencyScopedViewSet):
    model = SharingPolicy
    icon = "link"
    menu_label = "Chính sách chia sẻ"
    list_display = ["agency", "share_stories", "share_paid_teasers"]
    panels = [FieldPanel("agency"), FieldPanel("share_stories"), FieldPanel("share_paid_teasers")]

    def get_edit_handler(self):
        from wagtail.admin.panels import ObjectList

        from newsroom.views.snippets import AgencyScopedForm

        return ObjectList(self.panels, base_form_class=AgencyScopedForm).bind_to_model(self.model)


class PartnerKeyViewSet(SnippetViewSet):
    model = PartnerKey
    icon = "key"
    menu_label = "Khóa API đối tác"
    list_display = ["name", "prefix", "active", "last_used_at"]
    panels = [FieldPanel("name"), FieldPanel("active")]
