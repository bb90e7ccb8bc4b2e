from django import forms

from paywall.forms import ReaderFormMixin


class SubscribeForm(ReaderFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
        error_messages={
            "required": "Hãy nhập địa chỉ email.",
            "invalid": "Địa chỉ email chưa đúng, ví dụ: ten@example.vn.",
        },
    )
    newsletters = forms.TypedMultipleChoiceField(
        label="Bản tin muốn nhận",
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-list"}),
        error_messages={
            "required": "Hãy chọn ít nhất một bản tin.",
            "invalid_choice": "Bản tin đã chọn không có trên trang này.",
        },
    )

    def __init__(self, *args, newsletters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].choices = [(n.pk, n.title) for n in newsletters]


class AccountNewslettersForm(ReaderFormMixin, forms.Form):
    """The account page's box: which lists of this outlet the reader gets."""

    newsletters = forms.TypedMultipleChoiceField(
        label="Bản tin của trang này",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-list"}),
        error_messages={"invalid_choice": "Bản tin đã chọn không có trên trang này."},
    )

    def __init__(self, *args, newsletters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].choices = [(n.pk, n.title) for n in newsletters]
