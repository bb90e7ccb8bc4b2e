"""The admin, its login page and the reader sign-up speak Vietnamese whatever language the
browser asks for: locale/vi completes the catalogues of Wagtail, wagtailmedia and Django
(compiled by `make install`), and its wording wins over theirs."""

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from tests.i18n.english import english_words, is_vietnamese_syllable
from tests.paywall.conftest import BROWSER_UA

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9", "HTTP_USER_AGENT": BROWSER_UA}

# The newsroom's words for the admin's own (issue 10).
KEY_WORDS = {
    (None, "Images"): "Hình ảnh",
    (None, "Snippets"): "Danh mục",
    (None, "Reports"): "Báo cáo",
    (None, "Help"): "Trợ giúp",
    (None, "Documents"): "Tài liệu",
    (None, "Media"): "Âm thanh & video",
    (None, "Save draft"): "Lưu nháp",
    (None, "Publish"): "Xuất bản",
    (None, "Content"): "Nội dung",
    (None, "Promote"): "Quảng bá/SEO",
    (None, "Settings"): "Cài đặt",
    (None, "More actions"): "Thao tác khác",
    (None, "Set publishing schedule"): "Đặt lịch đăng",  # newsroom/locale (workflow)
    (None, "live"): "đang đăng",
    (None, "in moderation"): "đang duyệt",
    (None, "draft"): "bản nháp",
    (None, "scheduled"): "đã hẹn giờ",
}


def visible_text(html: str) -> str:
    doc = lxml.html.fromstring(html)
    for node in doc.xpath("//script | //style | //template"):
        node.drop_tree()
    labels = doc.xpath("//@placeholder | //@title | //@aria-label | //input[@type='submit']/@value")
    return "\n".join([doc.text_content(), *labels])


def test_the_newsrooms_words_for_the_admins():
    with translation.override("vi"):
        for (context, msgid), expected in KEY_WORDS.items():
            got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            assert got == expected, (
                f"{msgid!r} → {got!r}, expected {expected!r} (is locale/ compiled? make install)"
            )


# Wagtail's messages after saving a snippet (a managing editor's assignment) or cancelling
# a story's schedule, which its own `vi` catalogue leaves in English. Wagtail capitalises the
# model's name ("Giao việc"), so the name opens the sentence rather than sit mid-sentence.
SAVE_MESSAGES = {
    "%(model_name)s '%(object)s' created.": "Giao việc 'Lũ quét' đã được tạo.",
    "%(model_name)s '%(object)s' updated.": "Giao việc 'Lũ quét' đã được lưu.",
    "%(model_name)s '%(object)s' created and published.": "Giao việc 'Lũ quét' đã được tạo và xuất bản.",
    "%(model_name)s '%(object)s' updated and published.": "Giao việc 'Lũ quét' đã được lưu và xuất bản.",
    'Version %(revision_id)s of "%(object)s" unscheduled.': (
        "Đã hủy hẹn giờ đăng phiên bản 72 của “Lũ quét”."
    ),
}


def test_save_and_unschedule_messages_are_vietnamese():
    values = {"model_name": "Giao việc", "object": "Lũ quét", "revision_id": 72}
    with translation.override("vi"):
        for msgid, expected in SAVE_MESSAGES.items():
            got = translation.gettext(msgid) % values
            assert got == expected
            assert not english_words(got), got


def test_the_detector_flags_english_and_spares_vietnamese_without_marks():
    assert english_words("Save draft · More actions · LIVE · Reports") == [
        "Save",
        "draft",
        "More",
        "actions",
        "LIVE",
        "Reports",
    ]
    unmarked = "Thanh Hoa ban tin sang nay, phong vien Muong Lat, tong bien tap, van nghe xu Thanh"
    assert english_words(unmarked) == []
    assert english_words("Hội Tụ · Wagtail · Zalo · MoMo · VNPay · RSS · URL · SEO · PDF") == []
    assert all(is_vietnamese_syllable(w) for w in ["nghieng", "khuya", "thuong", "giuong", "oanh"])
    assert not any(is_vietnamese_syllable(w) for w in ["page", "edit", "draft", "help", "search"])


@pytest.mark.django_db
def test_admin_login_page_is_vietnamese_for_an_english_browser():
    response = Client(**ENGLISH_BROWSER).get("/admin/login/")
    html = response.content.decode()
    assert '<html lang="vi"' in html
    assert english_words(visible_text(html)) == []


@pytest.mark.django_db
def test_admin_is_vietnamese_for_staff_whose_browser_asks_for_english(demo):
    client = Client(**ENGLISH_BROWSER)
    client.force_login(get_user_model().objects.get(username="phongvien.baothanhhoa"))
    html = client.get("/admin/").content.decode()
    assert '<html lang="vi"' in html
    assert english_words(visible_text(html)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password, message",
    [
        ("ngan", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."),
        ("1234567890", "Mật khẩu không được chỉ gồm chữ số."),  # paywall/forms.py
        ("password123", "Mật khẩu này quá phổ biến, dễ bị đoán."),
    ],
)
def test_reader_signup_explains_a_weak_password_in_vietnamese(demo, password, message):
    data = {"email": "ban.doc@example.vn", "password1": password, "password2": password}
    response = Client(**ENGLISH_BROWSER).post("/tai-khoan/dang-ky/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert english_words(visible_text(html)) == []
    assert not get_user_model().objects.filter(email="ban.doc@example.vn").exists()


def test_every_catalogue_is_compiled_from_its_latest_text():
    from django.conf import settings

    catalogues = list(settings.LOCALE_PATHS[0].glob("vi/LC_MESSAGES/*.po"))
    assert {po.stem for po in catalogues} == {"django", "djangojs"}
    # The workflow's own wording (newsroom/locale) is compiled by the same step.
    catalogues += list((settings.BASE_DIR / "newsroom" / "locale").glob("vi/LC_MESSAGES/*.po"))
    assert len(catalogues) == 3
    for po in catalogues:
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
            f"{mo} is missing or older than {po.name}: run `make install`"
        )
