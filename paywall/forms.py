from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

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


# The password rules (AUTH_PASSWORD_VALIDATORS) said in Vietnamese, by the validators'
# error codes: Django's own Vietnamese catalogue lacks some of them (the length rule).
PASSWORD_HELP = "Ít nhất 10 ký tự, không toàn chữ số, không quá dễ đoán, không giống email."
PASSWORD_MESSAGES = {
    "password_too_short": "Mật khẩu quá ngắn: cần ít nhất {min_length} ký tự.",
    "password_too_similar": "Mật khẩu quá giống email của bạn.",
    "password_too_common": "Mật khẩu này quá phổ biến, dễ bị đoán.",
    "password_entirely_numeric": "Mật khẩu không được chỉ gồm chữ số.",
}


def password_errors(password, user) -> list[str]:
    """Vietnamese messages for what the password validators refuse (empty when valid)."""
    try:
        password_validation.validate_password(password, user)
    except forms.ValidationError as exc:
        messages = []
        for error in exc.error_list:
            template = PASSWORD_MESSAGES.get(error.code)
            params = error.params or {}
            messages.append(template.format(**params) if template else error.messages[0])
        return messages
    return []


class ReaderFormMixin:
    """Reader-facing forms: labels without a trailing colon, CSS hooks for the site's
    stylesheet (required fields, fields with errors)."""

    required_css_class = "required"
    error_css_class = "has-error"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _password_input(autocomplete):
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


class SignupForm(ReaderFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label="Mật khẩu",
        widget=_password_input("new-password"),
        strip=False,
        help_text=PASSWORD_HELP,
    )
    password2 = forms.CharField(
        label="Nhập lại mật khẩu", widget=_password_input("new-password"), strip=False
    )
    commune_code = CommuneField()

    def clean_email(self):
        # Whether the address already has an account is never said here (nor anywhere
        # the sign-up answers): the view mails its owner instead.
        return self.cleaned_data["email"].strip().lower()

    def existing_account(self):
        email = self.cleaned_data["email"]
        User = get_user_model()
        return (
            User.objects.filter(email__iexact=email).first()
            or User.objects.filter(username__iexact=email).first()
        )

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Hai mật khẩu không khớp.")
        if p1:
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""))
            for message in password_errors(p1, user):
                self.add_error("password1", message)
        return data


class ReaderLoginForm(ReaderFormMixin, AuthenticationForm):
    """Log in with email or username; axes counts failures through `authenticate`."""

    username = forms.CharField(
        label="Email hoặc tên đăng nhập",
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
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


class ReaderPasswordResetForm(ReaderFormMixin, PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Queued (paywall.tasks.send_reader_mail): the answer to a known address takes
        no longer than to an unknown one, and an SMTP failure cannot tell them apart."""
        from django.template import loader

        from outbox.services import enqueue

        from .tasks import send_reader_mail

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        enqueue(send_reader_mail, subject, body, to_email)  # kept if the broker is away


class ReaderSetPasswordForm(ReaderFormMixin, SetPasswordForm):
    """New password after a reset link: the same rules, said in Vietnamese."""

    error_messages = {"password_mismatch": "Hai mật khẩu không khớp."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Mật khẩu mới"
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = "Nhập lại mật khẩu mới"

    def validate_password_for_user(self, user, password_field_name="password2"):
        password = self.cleaned_data.get(password_field_name)
        if password:
            for message in password_errors(password, user):
                self.add_error(password_field_name, message)


class AccountDeleteForm(ReaderFormMixin, forms.Form):
    """Xóa tài khoản: the reader's own password, again (a borrowed, unlocked phone is not
    enough to delete someone's account)."""

    password = forms.CharField(
        label="Mật khẩu hiện tại", widget=_password_input("current-password"), strip=False
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        # Through authenticate(): axes counts and throttles wrong passwords here too.
        from django.contrib.auth import authenticate

        password = self.cleaned_data["password"]
        user = self.request.user
        if authenticate(self.request, username=user.get_username(), password=password) != user:
            raise forms.ValidationError("Mật khẩu không đúng: tài khoản chưa bị xóa.")
        return password


class ProfileForm(ReaderFormMixin, forms.Form):
    commune_code = CommuneField()


class CheckoutForm(ReaderFormMixin, forms.Form):
    gateway = forms.ChoiceField(
        label="Thanh toán qua",
        choices=[(g, label) for g, label in Gateway.choices if g != Gateway.MANUAL],
        widget=forms.RadioSelect,
    )
    promo_code = forms.CharField(
        label="Mã khuyến mại (nếu có)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
