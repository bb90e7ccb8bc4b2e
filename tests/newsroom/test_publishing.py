"""Scheduled publishing, takedowns with a logged reason, and public correction notes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision

from newsroom.models import StoryCorrection, StoryPage
from newsroom.tasks import publish_scheduled_pages
from tests.newsroom.helpers import (
    add_url,
    assert_refused,
    edit_url,
    form_errors,
    story_form,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db


def test_approved_story_with_future_go_live_is_scheduled_then_published_by_the_task(
    login, staff, section, client
):
    go_live = timezone.localtime() + datetime.timedelta(hours=1)
    response = login("phongvien.baothanhhoa").post(
        add_url(section),
        story_form(
            title="Bài hẹn giờ đăng",
            authors=[staff("phongvien.baothanhhoa")],
            go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
            action="action-submit",
        ),
    )
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title="Bài hẹn giờ đăng")
    login("bientap.baothanhhoa").post(workflow_action_url(story, "approve"), {"comment": ""})
    story.refresh_from_db()
    login("tongbientap.baothanhhoa").post(workflow_action_url(story, "approve"), {"comment": ""})
    story.refresh_from_db()
    assert not story.live
    assert story.current_workflow_state is None
    revision = Revision.page_revisions.get(
        object_id=str(story.pk), approved_go_live_at__isnull=False
    )
    assert abs(revision.approved_go_live_at - go_live.replace(second=0, microsecond=0)) < (
        datetime.timedelta(minutes=1)
    )
    assert PageLogEntry.objects.filter(page=story, action="wagtail.publish.schedule").exists()

    publish_scheduled_pages.delay()  # before the time: nothing happens
    story.refresh_from_db()
    assert not story.live
    assert client.get(story.url, HTTP_HOST="localhost").status_code == 404

    # The go-live time passes: moved back in every place Wagtail keeps it (the approved
    # revision, its content, the page) rather than sleeping an hour.
    past = timezone.now() - datetime.timedelta(seconds=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    StoryPage.objects.filter(pk=story.pk).update(go_live_at=past)
    publish_scheduled_pages.delay()
    story.refresh_from_db()
    assert story.live
    assert client.get(story.url, HTTP_HOST="localhost").status_code == 200
    publish_scheduled_pages.delay()  # idempotent
    assert StoryPage.objects.filter(title="Bài hẹn giờ đăng", live=True).count() == 1


@pytest.fixture
def live_story(demo):
    return StoryPage.objects.live().filter(url_path__startswith="/baothanhhoa/").first()


def test_editor_in_chief_takes_a_story_down_with_a_logged_reason(login, live_story, client):
    story = live_story
    url = reverse("newsroom_takedown", args=(story.pk,))
    eic = login("tongbientap.baothanhhoa")
    editor = eic.get(edit_url(story)).content.decode()
    assert url in editor and "Gỡ bài" in editor
    # Wagtail's own "Unpublish" item is replaced in the action menu.
    unpublish = reverse("wagtailadmin_pages:unpublish", args=(story.pk,))
    assert f'href="{unpublish}"' not in editor

    response = eic.post(url, {"reason": "ngắn"})
    assert response.status_code == 200
    assert "Lý do gỡ bài quá ngắn" in response.content.decode()
    story.refresh_from_db()
    assert story.live

    reason = "Sai số liệu về diện tích lúa, chờ xác minh với Sở Nông nghiệp."
    response = eic.post(url, {"reason": reason})
    assert response.status_code == 302
    story.refresh_from_db()
    assert not story.live
    entry = PageLogEntry.objects.get(page=story, action="newsroom.takedown")
    assert entry.data["reason"] == reason
    assert entry.user.username == "tongbientap.baothanhhoa"
    assert entry.timestamp is not None
    assert client.get(story.url or "/", HTTP_HOST="localhost").status_code in (200, 404)
    history = eic.get(reverse("wagtailadmin_pages:history", args=(story.pk,))).content.decode()
    assert reason in history

    # A second takedown of the same story is refused with a message.
    response = eic.post(url, {"reason": reason})
    assert response.status_code == 302
    assert PageLogEntry.objects.filter(page=story, action="newsroom.takedown").count() == 1


@pytest.mark.parametrize("username", ["phongvien.baothanhhoa", "bientap.baothanhhoa"])
def test_reporters_and_desk_do_not_get_takedown(login, live_story, username):
    client = login(username)
    url = reverse("newsroom_takedown", args=(live_story.pk,))
    editor = client.get(edit_url(live_story))
    if editor.status_code == 200:
        assert url not in editor.content.decode()
    assert_refused(client.get(url))
    assert_refused(client.post(url, {"reason": "Tôi muốn gỡ bài này ngay lập tức."}))
    live_story.refresh_from_db()
    assert live_story.live


def test_wagtail_unpublish_of_a_story_leads_to_takedown(login, live_story):
    eic = login("tongbientap.baothanhhoa")
    response = eic.post(reverse("wagtailadmin_pages:unpublish", args=(live_story.pk,)))
    assert response.status_code == 302
    assert response.url == reverse("newsroom_takedown", args=(live_story.pk,))
    live_story.refresh_from_db()
    assert live_story.live


def test_dated_correction_notes_render_on_the_story(live_story, client):
    story = live_story
    when = datetime.datetime(2026, 3, 5, 2, 30, tzinfo=datetime.UTC)  # 09:30 in Thanh Hóa
    story.corrections = [
        StoryCorrection(corrected_at=when, note="<p>Đã sửa tên xã: <b>Pù Nhi</b>.</p>")
    ]
    story.save_revision().publish()
    html = client.get(story.url, HTTP_HOST="localhost").content.decode()
    assert "Đính chính" in html
    assert "05/03/2026 09:30" in html
    assert "<b>Pù Nhi</b>" in html


def test_published_story_cannot_be_deleted_only_taken_down(login, live_story):
    eic = login("tongbientap.baothanhhoa")
    response = eic.post(reverse("wagtailadmin_pages:delete", args=(live_story.pk,)))
    assert response.status_code == 302
    assert StoryPage.objects.filter(pk=live_story.pk, live=True).exists()
    bulk = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "delete"))
    eic.post(f"{bulk}?id={live_story.pk}")
    assert StoryPage.objects.filter(pk=live_story.pk).exists()
