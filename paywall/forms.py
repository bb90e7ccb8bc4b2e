from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm

from .models import Gateway


def commune_choices():
    """Communes and wards of the province (vietnam-provinces), by national code."""
    from django.conf import settings
    from vietnam_provinces import Ward

    province = getattr(settings, "HOITU_PROVINCE_CODE", 38)
    wards = [w for w in Ward.iter_all() if int(w.province_code) == province]
    return [("", "— Chọn xã/phường —")] + sorted(
        ((int(w.code), w.name) for w in wards), key=lambda c: c[1]
    )


class CommuneField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=commune_choices,
            coerce=int,
            empty_value=None,
            required=False,
            label="Xã/phường nơi bạn sống",
            **kwargs,
        )


class SignupForm(forms.Form):
    email = forms.EmailField(label="Email")
    password1 = forms.CharField(label="Mật khẩu", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Nhập lại mật khẩu", widget=forms.PasswordInput, strip=False)
    commune_code = CommuneField()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        User = get_user_model()
        if (
            User.objects.filter(email__iexact=email).exists()
            or User.objects.filter(username__iexact=email).exists()
        ):
            raise forms.ValidationError("Email này đã được dùng cho một tài khoản khác.")
        return email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Hai mật khẩu không khớp.")
        if p1:
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ReaderLoginForm(AuthenticationForm):
    """Log in with email or username; axes counts failures through `authenticate`."""

    username = forms.CharField(label="Email hoặc tên đăng nhập", max_length=254)
    error_messages = {
        "invalid_login": "Email/tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        if "@" in value:
            user = get_user_model().objects.filter(email__iexact=value).first()
            if user is not None:
                return user.get_username()
        return value


class ProfileForm(forms.Form):
    commune_code = CommuneField()


class CheckoutForm(forms.Form):
    gateway = forms.ChoiceField(
        label="Thanh toán qua",
        choices=[(g, label) for g, label in Gateway.choices if g != Gateway.MANUAL],
        widget=forms.RadioSelect,
    )
    promo_code = forms.CharField(label="Mã khuyến mại", required=False, max_length=40)
