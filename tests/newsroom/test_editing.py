"""Bad input in Wagtail's page editor: refused with a Vietnamese message, nothing saved.
Reporters cannot publish, even with a crafted POST."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageLogEntry, Revision

from newsroom.models import Commission, StoryPage
from tests.newsroom.helpers import add_url, edit_url, form_errors, section_of, story_form

pytestmark = pytest.mark.django_db

REPORTER = "phongvien.baothanhhoa"


def counts():
    return (Page.objects.count(), Revision.objects.count(), PageLogEntry.objects.count())


def assert_refused_in_form(response, field, message):
    assert response.status_code == 200, response.status_code
    errors = form_errors(response)
    assert message in " ".join(map(str, errors.get(field, []))), errors


@pytest.mark.parametrize(
    "form, field, message",
    [
        ({"title": ""}, "title", "Tin bài phải có tiêu đề."),
        ({"authors": [], "contributors": ""}, "contributors", "ít nhất một tác giả"),
        ({"place": "999999"}, "place", "Địa bàn không có trong danh mục"),
        (
            {"go_live_at": "2020-01-01 08:00"},
            "go_live_at",
            "Thời điểm lên lịch đăng đã qua",
        ),
    ],
    ids=["no-headline", "no-byline", "unknown-place", "schedule-in-past"],
)
def test_bad_story_is_refused_and_nothing_saved(login, staff, section, form, field, message):
    before = counts()
    data = {"authors": [staff(REPORTER)], **form}
    response = login(REPORTER).post(add_url(section), story_form(action="action-submit", **data))
    assert_refused_in_form(response, field, message)
    assert counts() == before


def test_another_agencys_commission_is_refused(login, staff, section, demo):
    ptth = section_of("ptth", "thoi-su").get_site().outlet.agency
    foreign = Commission.objects.create(
        agency=ptth, ordering_body="UBND tỉnh", year=2026, topic="Phóng sự biên giới"
    )
    before = counts()
    response = login(REPORTER).post(
        add_url(section),
        story_form(authors=[staff(REPORTER)], commission=foreign.pk, action="action-submit"),
    )
    assert_refused_in_form(response, "commission", "không thuộc cơ quan")
    assert counts() == before


def test_contributor_alone_is_a_byline(login, section):
    response = login(REPORTER).post(
        add_url(section),
        story_form(title="Cộng tác viên viết", contributors="Lê Văn Tám", action="action-submit"),
    )
    assert response.status_code == 302, form_errors(response)


def test_unknown_section_or_wrong_parent_is_refused(login, staff, section):
    before = counts()
    client = login(REPORTER)
    data = story_form(authors=[staff(REPORTER)], action="action-submit")
    missing = reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", 987654))
    assert client.post(missing, data).status_code == 404
    # A story cannot hang directly under an outlet's home page: only under a section.
    home = section.get_parent()
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", home.pk)), data
    )
    assert response.status_code in (302, 403)
    assert counts() == before


def test_reporter_cannot_publish_a_new_story(login, staff, section):
    before = counts()
    client = login(REPORTER)
    response = client.post(
        add_url(section), story_form(authors=[staff(REPORTER)], action="action-publish")
    )
    assert response.status_code == 302
    assert counts() == before
    assert not StoryPage.objects.filter(title=story_form()["title"]).exists()
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("không có quyền đăng bài" in t for t in texts), texts


def test_reporter_cannot_publish_an_existing_draft(login, staff, section):
    client = login(REPORTER)
    title = "Bản nháp của phóng viên"
    response = client.post(add_url(section), story_form(title=title, authors=[staff(REPORTER)]))
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=title)
    assert not story.live
    before = counts()
    response = client.post(
        edit_url(story),
        story_form(title=title + " (sửa)", authors=[staff(REPORTER)], action="action-publish"),
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert not story.live and story.title == title
    assert counts() == before
    assert not PageLogEntry.objects.filter(page=story, action="wagtail.publish").exists()


def test_editor_in_chief_can_publish_directly(login, staff, section):
    response = login("tongbientap.baothanhhoa").post(
        add_url(section),
        story_form(
            title="Tin khẩn của tổng biên tập", authors=[staff(REPORTER)], action="action-publish"
        ),
    )
    assert response.status_code == 302, form_errors(response)
    assert StoryPage.objects.get(title="Tin khẩn của tổng biên tập").live


def test_future_schedule_is_accepted(login, staff, section):
    go_live = timezone.localtime() + datetime.timedelta(days=1)
    response = login(REPORTER).post(
        add_url(section),
        story_form(
            title="Lên lịch ngày mai",
            authors=[staff(REPORTER)],
            go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
            action="action-submit",
        ),
    )
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title="Lên lịch ngày mai")
    assert story.get_latest_revision_as_object().go_live_at is not None


def test_publish_button_only_for_those_who_may_publish(login, section):
    reporter_form = login(REPORTER).get(add_url(section)).content.decode()
    assert 'name="action-publish"' not in reporter_form
    assert 'name="action-submit"' in reporter_form
    eic_form = login("tongbientap.baothanhhoa").get(add_url(section)).content.decode()
    assert 'name="action-publish"' in eic_form
