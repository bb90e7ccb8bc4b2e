from django import forms

from newsroom.models import SectionPage


def sections_for(user):
    """Sections where `user` may add a story, labelled with their outlet."""
    sections = SectionPage.objects.select_related("content_type").order_by("path")
    return [s for s in sections if s.permissions_for_user(user).can_add_subpage()]


class StoryFromTranscriptForm(forms.Form):
    title = forms.CharField(
        label="Tiêu đề bài",
        max_length=255,
        error_messages={"required": "Hãy nhập tiêu đề bài."},
    )
    section = forms.TypedChoiceField(
        label="Ấn phẩm / chuyên mục",
        coerce=int,
        error_messages={
            "required": "Hãy chọn chuyên mục.",
            "invalid_choice": "Chuyên mục không hợp lệ hoặc bạn không có quyền đăng bài ở đó.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = {s.pk: s for s in sections_for(user)}
        self.fields["section"].choices = [("", "— Chọn chuyên mục —")] + [
            (pk, f"{s.get_parent().title} › {s.title}") for pk, s in self.sections.items()
        ]

    def clean_section(self):
        return self.sections[self.cleaned_data["section"]]
