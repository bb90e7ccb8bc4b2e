"""Dates mean the day/month/year staff see: Wagtail's pickers write dd/mm/yyyy and the
forms read it back as written, in every admin language; a form posted back unchanged
never moves a date (render → post → the same value, again and again)."""

import datetime
import zoneinfo

import lxml.html
import pytest
from django.utils import translation
from wagtail.admin.checks import datetime_format_check
from wagtail.users.models import UserProfile

from newsroom.models import Assignment, StoryPage
from tests.newsroom.helpers import add_url, edit_url, form_errors, section_of, story_form

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ASSIGNMENTS = "/admin/snippets/newsroom/assignment/"
PLANNING = "/admin/newsroom/ke-hoach/"


def admin_form(client, url):
    """The admin form at `url` as Chromium would submit it untouched: every field's
    rendered value (inputs, checked boxes, selected options, text areas)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    document = lxml.html.fromstring(response.content.decode())
    form = document.xpath("//form[.//input[@name='csrfmiddlewaretoken']][.//*[@name='title']]")
    assert form, f"no edit form at {url}"
    data = {}
    for name, value in form[0].form_values():
        data.setdefault(name, []).append(value)
    return data


def field_value(data, name):
    return data[name][0]


def test_picker_formats_are_the_first_input_formats_in_every_admin_language(settings):
    # Wagtail's own check (it only runs when USE_L10N is set): each WAGTAIL_*_FORMAT must
    # be one of the active language's input formats.
    settings.USE_L10N = True
    assert datetime_format_check(None) == []
    from django.utils.formats import get_format

    for lang in ("vi", "en"):
        assert get_format("DATE_INPUT_FORMATS", lang=lang)[0] == settings.WAGTAIL_DATE_FORMAT
        assert (
            get_format("DATETIME_INPUT_FORMATS", lang=lang)[0] == settings.WAGTAIL_DATETIME_FORMAT
        )
        assert "%Y-%m-%d" in get_format("DATE_INPUT_FORMATS", lang=lang)  # <input type=date>
    assert settings.WAGTAIL_DATE_FORMAT == "%d/%m/%Y"
    assert settings.WAGTAIL_DATETIME_FORMAT == "%d/%m/%Y %H:%M"


def test_dates_display_the_vietnamese_way():
    from django.template import Context, Template

    moment = datetime.datetime(2026, 12, 5, 7, 30, tzinfo=HCM)
    with translation.override("vi"):
        html = Template(
            "{{ m|date }}|{{ m|date:'DATETIME_FORMAT' }}|{{ m|date:'SHORT_DATETIME_FORMAT' }}"
        ).render(Context({"m": moment}))
    assert html == "05/12/2026|07:30 ngày 05/12/2026|05/12/2026 07:30"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("25/12/2026 17:00", datetime.datetime(2026, 12, 25, 17, 0, tzinfo=HCM)),
        ("05/12/2026 17:00", datetime.datetime(2026, 12, 5, 17, 0, tzinfo=HCM)),
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_assignment_deadline_survives_render_and_post_back(login, staff, typed, expected, language):
    profile = UserProfile.get_for_user(staff("thuky.baothanhhoa"))
    profile.preferred_language = language  # the admin language the user chose
    profile.save()
    client = login("thuky.baothanhhoa")
    section = section_of("baothanhhoa", "thoi-su")

    data = admin_form(client, ASSIGNMENTS + "add/")
    title = f"Lũ quét ở Mường Lát, hạn {typed}"
    data |= {
        "agency": [str(section.get_site().outlet.agency.pk)],
        "title": [title],
        "brief": ["Phỏng vấn người dân bản Pù Đứa."],
        "formats": ["text"],
        "section": [str(section.pk)],
        "deadline": [typed],  # as the date-time picker writes it
    }
    response = client.post(ASSIGNMENTS + "add/", data)
    assert response.status_code == 302, form_errors(response)
    assignment = Assignment.objects.get(title=title)
    assert assignment.deadline == expected

    edit = ASSIGNMENTS + f"edit/{assignment.pk}/"
    for _ in range(2):  # open and save unchanged, twice
        data = admin_form(client, edit)
        assert field_value(data, "deadline") == typed
        response = client.post(edit, data)
        assert response.status_code == 302, form_errors(response)
        assignment.refresh_from_db()
        assert assignment.deadline == expected


def test_a_deadline_that_is_no_date_is_refused_in_vietnamese(login):
    client = login("thuky.baothanhhoa")
    data = admin_form(client, ASSIGNMENTS + "add/")
    section = section_of("baothanhhoa", "thoi-su")
    data |= {
        "title": ["Hạn nộp sai"],
        "formats": ["text"],
        "section": [str(section.pk)],
        "deadline": ["31/02/2026 17:00"],
    }
    response = client.post(ASSIGNMENTS + "add/", data)
    assert response.status_code == 200
    assert "deadline" in form_errors(response)
    assert "hợp lệ" in " ".join(form_errors(response)["deadline"])  # in Vietnamese
    assert not Assignment.objects.filter(title="Hạn nộp sai").exists()


def test_story_go_live_on_the_5th_is_the_5th_and_a_resave_keeps_it(login, staff):
    section = section_of("baothanhhoa", "thoi-su")
    reporter = staff("phongvien.baothanhhoa")
    client = login("phongvien.baothanhhoa")
    title = "Đón đoàn khách đầu tiên ở cửa khẩu Na Mèo"
    response = client.post(
        add_url(section), story_form(title=title, authors=[reporter], go_live_at="05/12/2026 07:30")
    )
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=title)
    expected = datetime.datetime(2026, 12, 5, 7, 30, tzinfo=HCM)
    assert story.get_latest_revision_as_object().go_live_at == expected

    for _ in range(2):
        html = client.get(edit_url(story)).content.decode()
        (shown,) = lxml.html.fromstring(html).xpath("//input[@name='go_live_at']/@value")
        assert shown == "05/12/2026 07:30"
        response = client.post(
            edit_url(story), story_form(title=title, authors=[reporter], go_live_at=shown)
        )
        assert response.status_code == 302, form_errors(response)
        assert story.get_latest_revision_as_object().go_live_at == expected


def test_planning_day_typed_as_day_month_year(login):
    client = login("thuky.baothanhhoa")
    html = client.get(PLANNING, {"ngay": "25/12/2026"}).content.decode()
    assert 'value="2026-12-25"' in html  # the date input shows the day asked for
    assert "25/12/2026" in html
    html = client.get(PLANNING, {"ngay": "2026-12-05"}).content.decode()
    assert 'value="2026-12-05"' in html
    for bad in ("12/25/2026", "0001-01-01", "hôm qua"):
        response = client.get(PLANNING, {"ngay": bad})
        assert response.status_code == 200
        assert "không hợp lệ (ghi theo ngày/tháng/năm" in response.content.decode()


def test_broadcast_schedule_csv_reads_day_month_year(demo):
    from newsroom.broadcast_services import schedule_import_csv
    from newsroom.models import Agency, BroadcastSlot

    # Far from the demo's week of slots, so nothing overlaps.
    data = (
        "kenh,bat_dau,ket_thuc,chuong_trinh,tieu_de,mo_ta\n"
        "ttv,25/12/2030 06:30,25/12/2030 07:00,,Chào buổi sáng,\n"
        "ttv,2030-12-05 06:30,05/12/2030 07:00,,Chào buổi sáng,\n"
    ).encode()
    result = schedule_import_csv(data=data, agencies=Agency.objects.filter(slug="ptth"))
    assert result.ok, result.errors
    starts = sorted(s.starts_at for s in BroadcastSlot.objects.filter(starts_at__year=2030))
    assert starts == [
        datetime.datetime(2030, 12, 5, 6, 30, tzinfo=HCM),
        datetime.datetime(2030, 12, 25, 6, 30, tzinfo=HCM),
    ]
    bad = data.replace(b"25/12/2030 06:30", b"12/25/2030 06:30")
    result = schedule_import_csv(data=bad, agencies=Agency.objects.filter(slug="ptth"))
    assert any("12/25/2030 06:30" in e and "không hợp lệ" in e for e in result.errors)
