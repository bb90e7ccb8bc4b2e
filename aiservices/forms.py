from django import forms
from django.conf import settings

from config import outbound
from newsroom.views.snippets import AgencyScopedForm


class ProviderAccountForm(AgencyScopedForm):
    """The API key is write-only: the form shows only its last characters, and a blank
    field keeps the stored key."""

    api_key = forms.CharField(
        label="Khóa API",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Mã hóa khi lưu, không hiển thị lại.",
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if self.instance.pk and self.instance.credentials_encrypted:
            self.fields[
                "api_key"
            ].help_text = f"Đang lưu: {self.instance.masked_api_key()}. Để trống để giữ nguyên."

    def clean_api_key(self):
        key = (self.cleaned_data.get("api_key") or "").strip()
        if key and (len(key) > 500 or any(c.isspace() for c in key)):
            raise forms.ValidationError(
                "Khóa API không hợp lệ: không được có khoảng trắng, tối đa 500 ký tự."
            )
        if not key and not self.instance.credentials_encrypted:
            raise forms.ValidationError("Cần khóa API của nhà cung cấp.")
        return key

    def clean_endpoint(self):
        """Our server posts the text and the key to this address: https on a provider's
        own domain only (AI_ALLOWED_HOSTS), never a machine of our network."""
        value = (self.cleaned_data.get("endpoint") or "").strip()
        if not value:
            return value
        problem = outbound.url_problem(
            value,
            allowed=settings.AI_ALLOWED_HOSTS,
            allow_loopback_http=settings.AI_ALLOW_LOOPBACK_HTTP,
        )
        if problem == outbound.NOT_HTTPS:
            raise forms.ValidationError("Địa chỉ API phải dùng kết nối bảo mật (https://).")
        if problem == outbound.HOST_NOT_ALLOWED:
            raise forms.ValidationError(
                "Địa chỉ API phải thuộc tên miền của nhà cung cấp (%(hosts)s). Nếu nhà cung "
                "cấp đổi địa chỉ, quản trị hệ thống thêm tên miền mới vào AI_ALLOWED_HOSTS.",
                params={"hosts": ", ".join(settings.AI_ALLOWED_HOSTS)},
            )
        if problem:
            raise forms.ValidationError("Địa chỉ API không hợp lệ.")
        return value

    def save(self, commit=True):
        key = self.cleaned_data.get("api_key")
        if key:
            self.instance.set_credentials({"api_key": key})
        return super().save(commit=commit)


class AIPolicyForm(AgencyScopedForm):
    pass
