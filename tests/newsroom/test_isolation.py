"""Agency isolation: staff of one agency cannot open another agency's drafts or records;
the department officer reads every agency's records and changes nothing."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from newsroom.models import Agency, Assignment, Commission, StoryPage
from tests.newsroom.helpers import add_url, assert_refused, form_errors, story_form

pytestmark = pytest.mark.django_db

OUTSIDERS = ["phongvien.ptth", "bientap.ptth", "tongbientap.ptth", "thuky.ptth"]


@pytest.fixture
def draft_in_review(login, staff, section):
    """A Báo Thanh Hóa story submitted to the desk (in the workflow, not live)."""
    response = login("phongvien.baothanhhoa").post(
        add_url(section),
        story_form(
            title="Bản thảo mật của Báo Thanh Hóa",
            authors=[staff("phongvien.baothanhhoa")],
            action="action-submit",
        ),
    )
    assert response.status_code == 302, form_errors(response)
    return StoryPage.objects.get(title="Bản thảo mật của Báo Thanh Hóa")


def page_urls(story):
    revision = story.latest_revision
    task_state = story.current_workflow_task_state
    state = story.current_workflow_state
    pages = "wagtailadmin_pages:"
    return [
        ("get", reverse(pages + "edit", args=(story.pk,))),
        ("post", reverse(pages + "edit", args=(story.pk,))),
        ("get", reverse(pages + "view_draft", args=(story.pk,))),
        ("post", reverse(pages + "preview_on_edit", args=(story.pk,))),
        ("get", reverse(pages + "revisions_view", args=(story.pk, revision.pk))),
        ("get", reverse(pages + "history", args=(story.pk,))),
        ("get", reverse(pages + "workflow_history", args=(story.pk,))),
        ("get", reverse(pages + "workflow_history_detail", args=(story.pk, state.pk))),
        ("get", reverse(pages + "workflow_preview", args=(story.pk, task_state.task_id))),
        ("post", reverse(pages + "workflow_action", args=(story.pk, "approve", task_state.pk))),
        ("post", reverse(pages + "workflow_action", args=(story.pk, "reject", task_state.pk))),
        ("post", reverse(pages + "delete", args=(story.pk,))),
        ("post", reverse(pages + "lock", args=(story.pk,))),
    ]


@pytest.mark.parametrize("username", OUTSIDERS)
def test_other_agency_staff_cannot_open_a_draft(login, draft_in_review, username):
    client = login(username)
    story = draft_in_review
    before = (story.latest_revision_id, story.current_workflow_task_state.pk)
    for method, url in page_urls(story):
        body = story_form(title="Chiếm quyền", action="action-submit") if method == "post" else {}
        response = getattr(client, method)(url, body)
        try:
            assert_refused(response)
        except AssertionError as exc:
            raise AssertionError(f"{username} {method.upper()} {url}: {exc}") from None
    # The refusal says so in Vietnamese.
    response = client.get(reverse("wagtailadmin_pages:edit", args=(story.pk,)), follow=True)
    assert "Bạn không có quyền truy cập" in response.content.decode()
    story = StoryPage.objects.get(pk=story.pk)
    assert (story.latest_revision_id, story.current_workflow_task_state.pk) == before
    assert story.title == "Bản thảo mật của Báo Thanh Hóa" and not story.locked
    # Nor can they add a story to another agency's section.
    response = client.post(add_url(story.get_parent()), story_form(title="Lấn sân"))
    assert_refused(response)
    assert not Page.objects.filter(title="Lấn sân").exists()


def test_own_agency_desk_can_open_the_draft(login, draft_in_review):
    client = login("bientap.baothanhhoa")
    for method, url in page_urls(draft_in_review)[:9]:
        if method == "get":
            assert client.get(url).status_code == 200, url


def snippet_urls(model, obj):
    prefix = f"wagtailsnippets_newsroom_{model._meta.model_name}:"
    return [
        ("get", reverse(prefix + "edit", args=(obj.pk,))),
        ("post", reverse(prefix + "edit", args=(obj.pk,))),
        ("get", reverse(prefix + "inspect", args=(obj.pk,))),
        ("get", reverse(prefix + "delete", args=(obj.pk,))),
        ("post", reverse(prefix + "delete", args=(obj.pk,))),
        ("get", reverse(prefix + "history", args=(obj.pk,))),
        ("get", reverse(prefix + "usage", args=(obj.pk,))),
    ]


@pytest.mark.parametrize("username", ["thuky.ptth", "tongbientap.ptth", "phongvien.ptth"])
def test_other_agency_staff_cannot_open_assignments_or_commissions(login, demo, username):
    client = login(username)
    bth = Agency.objects.get(slug="baothanhhoa")
    assignment = Assignment.objects.filter(agency=bth).first()
    commission = Commission.objects.filter(agency=bth).first()
    for model, obj in ((Assignment, assignment), (Commission, commission)):
        for method, url in snippet_urls(model, obj):
            response = getattr(client, method)(url, {"title": "x", "topic": "x"})
            try:
                assert_refused(response)
            except AssertionError as exc:
                raise AssertionError(f"{username} {method.upper()} {url}: {exc}") from None
        assert model.objects.filter(pk=obj.pk).exists()
        listing = client.get(reverse(f"wagtailsnippets_newsroom_{model._meta.model_name}:list"))
        if listing.status_code == 200:
            assert str(obj) not in listing.content.decode()
    assignment.refresh_from_db()
    assert assignment.title != "x"
    # Bulk delete of another agency's assignment by id is refused too.
    url = (
        reverse("wagtail_bulk_action", args=("newsroom", "assignment", "delete"))
        + f"?id={assignment.pk}"
    )
    client.post(url)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_own_agency_managing_editor_sees_own_assignment(login, demo):
    client = login("thuky.baothanhhoa")
    assignment = Assignment.objects.filter(agency__slug="baothanhhoa").first()
    url = reverse("wagtailsnippets_newsroom_assignment:inspect", args=(assignment.pk,))
    assert client.get(url).status_code == 200
    listing = client.get(reverse("wagtailsnippets_newsroom_assignment:list")).content.decode()
    assert assignment.title in listing
    assert "Chương trình tiếng Thái tuần tới" not in listing  # a ptth assignment


def test_department_officer_reads_every_agency_and_changes_nothing(login, demo):
    client = login("so.tttt")
    for model in (Assignment, Commission, Agency):
        name = model._meta.model_name
        listing = client.get(reverse(f"wagtailsnippets_newsroom_{name}:list"))
        assert listing.status_code == 200, name
        html = listing.content.decode()
        for obj in model.objects.all()[:10]:
            assert str(obj) in html, (name, str(obj))
            inspect = reverse(f"wagtailsnippets_newsroom_{name}:inspect", args=(obj.pk,))
            assert client.get(inspect).status_code == 200, inspect
            for action in ("edit", "delete"):
                url = reverse(f"wagtailsnippets_newsroom_{name}:{action}", args=(obj.pk,))
                assert_refused(client.post(url, {"title": "x", "topic": "x", "name": "x"}))
        add = reverse(f"wagtailsnippets_newsroom_{name}:add")
        assert_refused(client.post(add, {"title": "x", "topic": "x", "name": "x"}))
    assert not Assignment.objects.filter(title="x").exists()
    assert not Agency.objects.filter(name="x").exists()
    # No page of any agency can be edited by the officer.
    story = StoryPage.objects.live().first()
    assert_refused(client.post(reverse("wagtailadmin_pages:edit", args=(story.pk,)), {}))
    assert_refused(
        client.post(
            add_url(story.get_parent()), story_form(title="Sở viết bài", action="action-publish")
        )
    )
    assert not Page.objects.filter(title="Sở viết bài").exists()


def test_commission_chooser_lists_only_own_agency(login, demo):
    bth_commission = Commission.objects.get(agency__slug="baothanhhoa")
    url = reverse("wagtailsnippetchoosers_newsroom_commission:choose")
    assert bth_commission.topic in login("tongbientap.baothanhhoa").get(url).json()["html"]
    outsider = login("tongbientap.ptth")
    assert bth_commission.topic not in outsider.get(url).json()["html"]
    chosen = reverse("wagtailsnippetchoosers_newsroom_commission:chosen", args=(bth_commission.pk,))
    assert outsider.get(chosen).status_code == 404
