from django import forms
from django.contrib.auth import authenticate

from . import services


class CodeForm(forms.Form):
    required_css_class = "required"
    error_css_class = "has-error"

    code = forms.CharField(
        label="Mã xác thực",
        max_length=32,
        help_text="6 chữ số trên ứng dụng xác thực, hoặc một mã khôi phục (dạng abcd-efgh).",
        error_messages={"required": "Hãy nhập mã xác thực."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EnrolForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "6 chữ số ứng dụng hiện ra sau khi quét mã QR."
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class ReauthForm(CodeForm):
    """Password and a current code again before the second factor is changed: a session
    left open is not enough. Wrong passwords count towards django-axes' lockout."""

    ACTIONS = {"doi-thiet-bi", "tao-lai-ma", "go-bo"}

    password = forms.CharField(
        label="Mật khẩu",
        strip=False,
        error_messages={"required": "Hãy nhập mật khẩu."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.device = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["action"] = self.data.get("action")
        if data["action"] not in self.ACTIONS:
            raise forms.ValidationError("Hãy chọn một thao tác.")
        user = self.request.user
        if (
            authenticate(self.request, username=user.get_username(), password=data["password"])
            != user
        ):
            self.add_error("password", "Mật khẩu không đúng.")
            return data
        try:
            self.device = services.verify(user, data["code"])
        except services.VerifyError as exc:
            self.add_error("code", str(exc))
        return data
