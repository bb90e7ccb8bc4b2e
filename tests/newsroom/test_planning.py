"""The planning desk: the day's plan per agency and desk, "Việc của tôi" on the reporter's
dashboard, and "Viết bài" from an assignment through to filing."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from newsroom.models import Assignment, AssignmentStatus, StoryPage
from tests.newsroom.helpers import (
    assert_refused,
    edit_url,
    form_errors,
    story_form,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db

PLANNING = "/admin/newsroom/ke-hoach/"


@pytest.fixture
def bth_today(demo):
    return Assignment.objects.get(title="Tường thuật phiên họp thường kỳ UBND tỉnh")


def test_planning_view_shows_the_days_assignments_of_own_agency_by_desk(login, bth_today):
    day = timezone.localdate(bth_today.deadline)
    ptth_same_day = Assignment.objects.get(title="Bản tin trưa: giao thông dịp cuối năm")
    assert timezone.localdate(ptth_same_day.deadline) == day
    response = login("thuky.baothanhhoa").get(PLANNING, {"ngay": day.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert bth_today.title in html
    assert bth_today.section.title in html
    assert bth_today.reporters.first().get_full_name() in html
    assert ptth_same_day.title not in html
    assert "Chữ ký số cho người dân xã biên giới" not in html  # due tomorrow
    assert f"?ngay={(day + datetime.timedelta(days=1)).isoformat()}" in html
    assert f"?ngay={(day - datetime.timedelta(days=1)).isoformat()}" in html
    assert 'type="date"' in html
    assert PLANNING in login("thuky.baothanhhoa").get("/admin/").content.decode()

    tomorrow = login("thuky.baothanhhoa").get(
        PLANNING, {"ngay": (day + datetime.timedelta(days=1)).isoformat()}
    )
    assert "Chữ ký số cho người dân xã biên giới" in tomorrow.content.decode()


def test_planning_view_default_day_bad_date_and_foreign_agency(login, bth_today):
    client = login("thuky.baothanhhoa")
    response = client.get(PLANNING, {"ngay": "31/02/2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "không hợp lệ" in html
    response = client.get(PLANNING, {"co_quan": "ptth"})
    assert "không thuộc quyền của bạn" in response.content.decode()
    assert "Bản tin trưa" not in response.content.decode()


def test_department_officer_sees_every_agency_plan(login, bth_today):
    day = timezone.localdate(bth_today.deadline).isoformat()
    html = login("so.tttt").get(PLANNING, {"ngay": day}).content.decode()
    assert bth_today.title in html
    assert "Bản tin trưa: giao thông dịp cuối năm" in html
    html = login("so.tttt").get(PLANNING, {"ngay": day, "co_quan": "ptth"}).content.decode()
    assert bth_today.title not in html and "Bản tin trưa" in html


def test_planning_needs_the_assignment_view_permission(demo):
    user = get_user_model().objects.create_user("khach", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(user)
    assert_refused(client.get(PLANNING))
    # The sidebar menu is JSON: look for the item's address.
    assert PLANNING not in client.get("/admin/").content.decode()


def test_my_assignments_on_the_reporters_dashboard(login, bth_today):
    html = login("phongvien.baothanhhoa").get("/admin/").content.decode()
    assert "Việc của tôi" in html
    assert bth_today.title in html
    assert timezone.localtime(bth_today.deadline).strftime("%d/%m/%Y %H:%M") in html
    assert reverse("newsroom_assignment_write", args=(bth_today.pk,)) in html
    assert "Mùa hoa ban ở Quan Sơn" not in html  # planned, not given to anyone yet
    assert "Bản tin trưa" not in html  # another agency's
    other = login("phongvien.ptth").get("/admin/").content.decode()
    assert bth_today.title not in other


def test_write_from_assignment_links_the_story_and_moves_the_status(login, staff, bth_today):
    reporter = login("phongvien.baothanhhoa")
    response = reporter.get(reverse("newsroom_assignment_write", args=(bth_today.pk,)))
    add = reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", bth_today.section_id))
    assert response.status_code == 302 and response.url == add
    assert reporter.get(add).status_code == 200

    # Saved as a draft first: the assignment is in progress and points at the story.
    title = "Kỳ họp UBND tỉnh tháng này"
    response = reporter.post(add, story_form(title=title, authors=[staff("phongvien.baothanhhoa")]))
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=title)
    bth_today.refresh_from_db()
    assert bth_today.story_id == story.pk
    assert bth_today.status == AssignmentStatus.IN_PROGRESS
    assert ModelLogEntry.objects.filter(
        action="newsroom.assignment_story", object_id=str(bth_today.pk)
    ).exists()

    # Submitted: filed. Sent back: in progress again. Resubmitted: filed.
    data = story_form(title=title, authors=[staff("phongvien.baothanhhoa")], action="action-submit")
    assert reporter.post(edit_url(story), data).status_code == 302
    bth_today.refresh_from_db()
    assert bth_today.status == AssignmentStatus.FILED
    login("bientap.baothanhhoa").post(
        workflow_action_url(story, "reject"), {"comment": "Viết lại phần mở đầu."}
    )
    bth_today.refresh_from_db()
    assert bth_today.status == AssignmentStatus.IN_PROGRESS
    assert reporter.post(edit_url(story), data).status_code == 302
    bth_today.refresh_from_db()
    assert bth_today.status == AssignmentStatus.FILED

    # The dashboard no longer lists it as open; "Viết bài" again opens the story.
    assert bth_today.title not in reporter.get("/admin/").content.decode()
    response = reporter.get(reverse("newsroom_assignment_write", args=(bth_today.pk,)))
    assert response.url == edit_url(story)


def test_write_and_submit_at_once_files_the_assignment(login, staff, bth_today):
    reporter = login("phongvien.baothanhhoa")
    response = reporter.get(reverse("newsroom_assignment_write", args=(bth_today.pk,)))
    response = reporter.post(
        response.url,
        story_form(
            title="Nộp ngay", authors=[staff("phongvien.baothanhhoa")], action="action-submit"
        ),
    )
    assert response.status_code == 302, form_errors(response)
    bth_today.refresh_from_db()
    assert bth_today.story.title == "Nộp ngay"
    assert bth_today.status == AssignmentStatus.FILED


def test_other_agency_cannot_write_for_an_assignment(login, bth_today):
    response = login("phongvien.ptth").get(
        reverse("newsroom_assignment_write", args=(bth_today.pk,))
    )
    assert response.status_code == 404
    bth_today.refresh_from_db()
    assert bth_today.story_id is None and bth_today.status == AssignmentStatus.ASSIGNED
