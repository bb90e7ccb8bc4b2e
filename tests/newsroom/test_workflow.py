"""The publishing workflow end to end, through Wagtail's own admin views, with the demo
staff and their groups: reporter → desk edit → editor-in-chief → live; and send-back."""

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry, WorkflowState

from newsroom.models import StoryPage
from tests.newsroom.helpers import (
    add_url,
    assert_refused,
    edit_url,
    form_errors,
    story_form,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db

REPORTER = "phongvien.baothanhhoa"
DESK = "bientap.baothanhhoa"
EIC = "tongbientap.baothanhhoa"


def submit_new_story(login, staff, section, **form):
    reporter = staff(REPORTER)
    response = login(REPORTER).post(
        add_url(section), story_form(authors=[reporter], action="action-submit", **form)
    )
    assert response.status_code == 302, form_errors(response)
    return StoryPage.objects.child_of(section).get(title=form.get("title", story_form()["title"]))


def test_reporter_desk_and_editor_in_chief_publish_a_story(login, staff, section, client):
    story = submit_new_story(login, staff, section, title="Khánh thành cầu treo bản Pù Nhi")
    assert not story.live
    state = story.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name.startswith("Biên tập")

    # The editor-in-chief is in step 1 too, but the story waits for the desk first: the
    # reporter's own agency desk approves.
    desk = login(DESK)
    assert desk.get(edit_url(story)).status_code == 200
    response = desk.post(workflow_action_url(story, "approve"), {"comment": "Đạt, chuyển TBT."})
    assert response.status_code == 302
    story.refresh_from_db()
    assert not story.live
    assert story.current_workflow_task_state.task.name.startswith("Tổng biên tập")

    # The desk editor cannot take the editor-in-chief's step.
    assert_refused(desk.post(workflow_action_url(story, "approve"), {"comment": ""}))
    story.refresh_from_db()
    assert not story.live

    eic = login(EIC)
    response = eic.post(workflow_action_url(story, "approve"), {"comment": ""})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.live
    assert story.current_workflow_state is None
    assert story.owner == staff(REPORTER)

    response = client.get(story.url, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "Khánh thành cầu treo bản Pù Nhi" in response.content.decode()

    # Every step is in the audit log, with who and when, in order.
    entries = list(PageLogEntry.objects.filter(page=story).order_by("timestamp", "pk"))
    trail = [(e.action, e.user.username if e.user else None) for e in entries]
    assert ("wagtail.create", REPORTER) in trail
    assert ("wagtail.workflow.start", REPORTER) in trail
    approvals = [who for action, who in trail if action == "wagtail.workflow.approve"]
    assert approvals == [DESK, EIC]
    assert ("wagtail.publish", EIC) in trail
    assert all(e.timestamp is not None for e in entries)
    actions = [a for a, _ in trail]
    assert actions.index("wagtail.workflow.start") < actions.index("wagtail.publish")


def test_desk_sends_back_with_comment_reporter_edits_and_resubmits(login, staff, section):
    story = submit_new_story(login, staff, section, title="Mùa lúa chín ở Yên Định")
    desk = login(DESK)
    comment = "Thiếu ý kiến của người dân; bổ sung trích dẫn."
    response = desk.post(workflow_action_url(story, "reject"), {"comment": comment})
    assert response.status_code == 302
    story.refresh_from_db()
    state = story.current_workflow_state
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES

    # The reporter sees the desk's comment in the story's workflow history.
    reporter_client = login(REPORTER)
    detail = reverse("wagtailadmin_pages:workflow_history_detail", args=(story.pk, state.pk))
    response = reporter_client.get(detail)
    assert response.status_code == 200
    assert comment in response.content.decode()

    # Edits and resubmits: the workflow resumes at the desk step.
    response = reporter_client.post(
        edit_url(story),
        story_form(
            title="Mùa lúa chín ở Yên Định",
            paragraph="Bà Lê Thị Hoa, xã Yên Định: “Năm nay được mùa.”",
            authors=[staff(REPORTER)],
            action="action-submit",
        ),
    )
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    state = story.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name.startswith("Biên tập")
    assert "Bà Lê Thị Hoa" in str(story.get_latest_revision_as_object().body)

    desk.post(workflow_action_url(story, "approve"), {"comment": ""})
    story.refresh_from_db()
    login(EIC).post(workflow_action_url(story, "approve"), {"comment": ""})
    story.refresh_from_db()
    assert story.live
    assert "Bà Lê Thị Hoa" in str(story.body)
    actions = list(
        PageLogEntry.objects.filter(page=story)
        .order_by("timestamp", "pk")
        .values_list("action", "user__username")
    )
    assert ("wagtail.workflow.reject", DESK) in actions
    assert ("wagtail.workflow.resume", REPORTER) in actions


def test_editor_in_chief_can_take_both_steps(login, staff, section):
    """A small agency's editor-in-chief may clear the desk step too (documented choice)."""
    story = submit_new_story(login, staff, section, title="Tin nhanh: mưa lớn ở Mường Lát")
    eic = login(EIC)
    eic.post(workflow_action_url(story, "approve"), {"comment": ""})
    story.refresh_from_db()
    assert not story.live
    eic.post(workflow_action_url(story, "approve"), {"comment": ""})
    story.refresh_from_db()
    assert story.live
