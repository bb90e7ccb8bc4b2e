"""Wagtail's staff login form with a translatable label on its password field (Wagtail
leaves it unlabelled, so Django shows the field name, "Password", in English)."""

from django.utils.translation import gettext_lazy
from wagtail.admin.forms.auth import LoginForm


class StaffLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")
