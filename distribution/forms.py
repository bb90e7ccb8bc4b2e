from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from newsroom.selectors import user_agencies

# Which secret fields each kind of platform uses (all optional on edit: blank keeps).
CREDENTIAL_FIELDS = {
    "app_id": "Zalo: app_id",
    "secret_key": "Zalo: secret_key của ứng dụng",
    "access_token": "Zalo: access_token",
    "refresh_token": "Zalo: refresh_token",
    "secret": "HTTP push: khóa ký HMAC",
    "username": "FTP: tên đăng nhập",
    "password": "FTP: mật khẩu",
}


def _secret_field(label):
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class PlatformForm(WagtailAdminModelForm):
    """Secrets are write-only: the form shows only their last characters, and a blank
    field keeps the stored value."""

    cred_app_id = _secret_field(CREDENTIAL_FIELDS["app_id"])
    cred_secret_key = _secret_field(CREDENTIAL_FIELDS["secret_key"])
    cred_access_token = _secret_field(CREDENTIAL_FIELDS["access_token"])
    cred_refresh_token = _secret_field(CREDENTIAL_FIELDS["refresh_token"])
    cred_secret = _secret_field(CREDENTIAL_FIELDS["secret"])
    cred_username = _secret_field(CREDENTIAL_FIELDS["username"])
    cred_password = _secret_field(CREDENTIAL_FIELDS["password"])

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        masked = self.instance.masked_credentials() if self.instance.pk else {}
        for name in CREDENTIAL_FIELDS:
            if masked.get(name):
                self.fields[
                    f"cred_{name}"
                ].help_text = f"Đang lưu: {masked[name]}. Để trống để giữ nguyên."
        if for_user is not None and "agency" in self.fields:
            self.fields["agency"].queryset = user_agencies(for_user)

    def save(self, commit=True):
        from .services import platform_set_credentials

        values = {name: self.cleaned_data.get(f"cred_{name}", "") for name in CREDENTIAL_FIELDS}
        platform_set_credentials(platform=self.instance, values=values)
        return super().save(commit=commit)
