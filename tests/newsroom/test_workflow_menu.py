"""The page editor's footer menu and messages along the workflow, through Wagtail's own
admin views with the demo staff: the expected next step is the default button, undoing
actions come last and ask first, labels are readable Vietnamese, and every message says
what happened and to whom."""

import json

import pytest
from django.utils.html import strip_tags
from wagtail.models import WorkflowState

from newsroom.models import StoryPage
from tests.newsroom.helpers import add_url, edit_url, form_errors, story_form

pytestmark = pytest.mark.django_db

REPORTER = "phongvien.baothanhhoa"
DESK = "bientap.baothanhhoa"
EIC = "tongbientap.baothanhhoa"


def glued(label: str) -> bool:
    """A lowercase letter directly followed by an uppercase one: "Thực hiện lạiBiên tập"."""
    return any(a.islower() and b.isupper() for a, b in zip(label, label[1:], strict=False))


def menu(client, url):
    """(default item, [other items]) of the footer menu as (name, label) pairs."""
    response = client.get(url)
    assert response.status_code == 200
    action_menu = response.context["action_menu"]
    default = action_menu.default_item
    pairs = [(item.name, str(item.label)) for item in action_menu.menu_items]
    for _, label in [(default.name, str(default.label)), *pairs]:
        assert not glued(label), label
    return (default.name, str(default.label)), pairs, response.content.decode()


def said(response, client) -> str:
    """The messages the person reads on the page they land on, as one text."""
    if response.status_code == 302:
        response = client.get(response.url)
    return " | ".join(" ".join(strip_tags(str(m)).split()) for m in response.context["messages"])


def post_story(client, url, story_title, authors, action, **extra):
    response = client.post(
        url, story_form(title=story_title, authors=authors, action=action, **extra)
    )
    assert response.status_code == 302, form_errors(response)
    return response


def workflow_action(name, comment=""):
    return {
        "action-workflow-action": "true",
        "workflow-action-name": name,
        "workflow-action-extra-data": json.dumps({"comment": comment} if comment else {}),
    }


def test_menu_puts_each_roles_next_step_first_and_undoing_actions_last(login, staff, section):
    title = "Đường lên bản Pù Nhi đã thông xe"
    reporter, desk, eic = login(REPORTER), login(DESK), login(EIC)
    author = [staff(REPORTER)]

    default, _, _ = menu(reporter, add_url(section))
    assert default == ("action-submit", "Gửi biên tập")

    post_story(reporter, add_url(section), title, author, "action-submit")
    story = StoryPage.objects.get(title=title)

    # The reporter waits: the default is not "cancel workflow"; cancelling comes last and
    # only opens a dialog that asks in Vietnamese.
    default, items, html = menu(reporter, edit_url(story))
    assert default[0] != "action-cancel-workflow"
    assert items[-1] == ("action-cancel-workflow", "Hủy quy trình")
    assert 'data-a11y-dialog-show="xac-nhan-action-cancel-workflow"' in html
    assert "Hủy quy trình duyệt?" in html
    assert "Không, giữ nguyên" in html

    # The desk editor's step: approve, passing it on to the editor-in-chief.
    default, items, _ = menu(desk, edit_url(story))
    assert default == ("approve", "Duyệt, chuyển tổng biên tập")
    assert ("reject", "Trả bài kèm nhận xét") in items
    assert ("approve", "Duyệt kèm nhận xét") in items
    post_story(desk, edit_url(story), title, author, None, **workflow_action("approve"))

    # The editor-in-chief's step: approve and publish; with a go-live ahead, schedule.
    default, items, _ = menu(eic, edit_url(story))
    assert default == ("approve", "Duyệt và xuất bản")
    names = [name for name, _ in items]
    assert names[-1] == "action-cancel-workflow"
    assert names.index("action-publish") < names.index("action-cancel-workflow")
    post_story(eic, edit_url(story), title, author, None, go_live_at="2099-12-05 07:30")
    default, _, _ = menu(eic, edit_url(story))
    assert default == ("approve", "Duyệt và hẹn giờ đăng")

    # On a live story, "Gỡ bài" closes the menu.
    live = StoryPage.objects.live().child_of(section).first()
    default, items, _ = menu(eic, edit_url(live))
    assert default[0] == "action-publish"
    assert items[-1] == ("action-takedown", "Gỡ bài")


def test_every_step_says_what_happened_in_vietnamese(login, staff, section):
    title = "Thanh Hóa mở lớp dạy nghề cho thanh niên vùng cao"
    reporter, desk, eic = login(REPORTER), login(DESK), login(EIC)
    author = [staff(REPORTER)]
    name = staff(REPORTER).get_full_name()

    response = post_story(reporter, add_url(section), title, author, "action-submit")
    assert f"Đã gửi bài “{title}” cho biên tập viên." in said(response, reporter)
    story = StoryPage.objects.get(title=title)
    edit = edit_url(story)

    comment = "Thiếu số liệu học viên; bổ sung."
    response = post_story(desk, edit, title, author, None, **workflow_action("reject", comment))
    assert f"Đã trả bài “{title}” về cho phóng viên {name} kèm nhận xét." in said(response, desk)
    assert story.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES

    default, _, _ = menu(reporter, edit)
    assert default == ("action-submit", "Gửi lại biên tập")
    response = post_story(reporter, edit, title, author, "action-submit")
    assert f"Đã gửi lại bài “{title}” cho biên tập viên." in said(response, reporter)

    response = post_story(desk, edit, title, author, None, **workflow_action("approve"))
    assert f"Đã duyệt bài “{title}” và gửi cho tổng biên tập." in said(response, desk)

    # A go-live in the past: refused at the top of the editor, nothing scheduled.
    response = eic.post(
        edit,
        story_form(title=title, authors=author, go_live_at="2020-12-05 07:30")
        | workflow_action("approve"),
    )
    assert response.status_code == 200
    top = said(response, eic)
    assert "Lịch đăng không hợp lệ: thời điểm lên bài 07:30 ngày 05/12/2020 đã qua." in top
    assert "Bài chưa được lưu, chưa được hẹn giờ" in top
    story.refresh_from_db()
    assert not story.revisions.filter(approved_go_live_at__isnull=False).exists()
    assert story.current_workflow_task.name.startswith("Tổng biên tập")

    # An expiry before the go-live: refused the same way.
    response = eic.post(
        edit,
        story_form(
            title=title,
            authors=author,
            go_live_at="2027-12-05 07:30",
            expire_at="2027-12-04 07:30",
        )
        | workflow_action("approve"),
    )
    assert response.status_code == 200
    top = said(response, eic)
    assert "thời điểm hết hạn 07:30 ngày 04/12/2027 phải sau thời điểm lên bài" in top

    response = post_story(
        eic, edit, title, author, None, go_live_at="2027-12-05 07:30", **workflow_action("approve")
    )
    assert f"Đã duyệt bài “{title}”. Bài sẽ lên lúc 07:30 ngày 05/12/2027." in said(response, eic)
    story.refresh_from_db()
    assert not story.live
    assert story.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_publishing_and_cancelling_say_so(login, staff, section):
    title = "Chợ phiên vùng cao Bá Thước"
    reporter, eic = login(REPORTER), login(EIC)
    author = [staff(REPORTER)]

    post_story(reporter, add_url(section), title, author, "action-submit")
    story = StoryPage.objects.get(title=title)
    # The reporter's story is locked while it waits: Wagtail cancels and shows the editor
    # again without the newsroom's hook; its message comes from the catalogue.
    response = reporter.post(
        edit_url(story), story_form(title=title, authors=author, action="action-cancel-workflow")
    )
    assert f"Đã hủy quy trình duyệt “{title}”: bản này trở về bản nháp." in said(response, reporter)
    assert story.current_workflow_state is None

    post_story(reporter, edit_url(story), title, author, "action-submit")
    response = post_story(eic, edit_url(story), title, author, "action-cancel-workflow")
    assert f"Đã hủy quy trình duyệt bài “{title}”: bản này trở về bản nháp." in said(response, eic)
    assert story.current_workflow_state is None

    response = post_story(eic, edit_url(story), title, author, "action-publish")
    assert f"Đã xuất bản bài “{title}”." in said(response, eic)
    story.refresh_from_db()
    assert story.live
