from django.urls import reverse
from wagtail import hooks


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    return {
        "url": reverse("twofactor_admin:manage"),
        "label": "Xác thực hai bước",
        "help_text": "Đổi điện thoại xác thực hoặc tạo lại mã khôi phục.",
    }
