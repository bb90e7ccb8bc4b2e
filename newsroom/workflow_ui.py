"""The page editor's footer action menu and what it says after each step of the
publishing workflow, in Vietnamese.

The menu: the step a person is expected to take next is the default button (a reporter
sends the story to the desk, a desk editor approves the story waiting at their step, the
editor-in-chief approves and publishes it, or schedules it when a go-live is set);
actions that undo work (cancel or restart the workflow, unpublish, take down) come last,
and the ones that act at once ask in a dialog first.

The messages: Wagtail's own success message ("Page 'x' has been submitted for
moderation.") is replaced, in the `after_create_page` / `after_edit_page` hooks, by one
that says what happened and to whom: "Đã gửi bài “x” cho biên tập viên", "Bài sẽ lên lúc
07:30 ngày 05/12/2027"."""

import json
from dataclasses import dataclass

from django.contrib import messages as django_messages
from django.urls import reverse
from django.utils import timezone
from wagtail.admin import messages
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.models import WorkflowState

from .forms import local_moment
from .models import Role, StoryPage
from .services import workflow_task_role

# Who receives a story at a step, as a message names them.
RECIPIENT = {
    Role.DESK_EDITOR: "biên tập viên",
    Role.MANAGING_EDITOR: "thư ký tòa soạn",
    Role.EDITOR_IN_CHIEF: "tổng biên tập",
}
# What the button that sends a story to a step says.
SUBMIT_LABEL = {
    Role.DESK_EDITOR: "Gửi biên tập",
    Role.MANAGING_EDITOR: "Gửi thư ký tòa soạn",
    Role.EDITOR_IN_CHIEF: "Gửi tổng biên tập duyệt",
}

# Actions that undo work, in the order they close the menu.
LAST = [
    "action-restart-workflow",
    "action-cancel-workflow",
    "action-unpublish",
    "action-takedown",
    "action-delete",
]

CONFIRM_TEMPLATE = "newsroom/admin/action_menu/confirm_item.html"


def recipient(task) -> str:
    role = workflow_task_role(task)
    return RECIPIENT.get(role) or f"bước “{task.name}”"


def _kind(page) -> str:
    return "bài" if isinstance(page, StoryPage) else "trang"


def _title(page) -> str:
    return page.get_admin_display_title()


# --- The menu -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    title: str
    body: str
    yes: str
    no: str = "Không, giữ nguyên"


class ArrangedMenuItem(ActionMenuItem):
    """One request's view of a menu item: its own label, and a confirmation dialog for an
    action that would act at once. Wagtail's base items are shared between requests, so
    they are wrapped, never changed."""

    def __init__(self, item, *, label=None, confirm: Confirmation | None = None):
        super().__init__(order=item.order)
        self.item = item
        self.name = item.name
        self.icon_name = item.icon_name
        self.classname = item.classname
        self.label = item.label if label is None else label
        self.launch_modal = getattr(item, "launch_modal", False)
        self.confirm = confirm
        self.template_name = CONFIRM_TEMPLATE if confirm else item.template_name

    @property
    def media(self):
        return self.item.media

    def get_context_data(self, parent_context):
        context = self.item.get_context_data(parent_context)
        context["label"] = self.label
        if self.confirm:
            context["confirm"] = self.confirm
            context["dialog_id"] = f"xac-nhan-{self.name}"
        return context


def _go_live_ahead(page) -> bool:
    go_live_at = getattr(page, "go_live_at", None)
    return bool(go_live_at and go_live_at > timezone.now())


def _task_after(state):
    """The step that follows the one the story waits at (Wagtail's `get_next_task` is the
    first step not yet approved: the current one)."""
    tasks = list(state.workflow.tasks)
    current = state.current_task_state.task_id
    ids = [task.pk for task in tasks]
    return tasks[ids.index(current) + 1] if current in ids[:-1] else None


def _label_and_confirmation(item, page, state, parent=None):
    """The Vietnamese label of a menu item, and the question it asks first (if any)."""
    name = item.name
    if name == "approve" and not item.launch_modal:
        if state.is_at_final_task:
            return ("Duyệt và hẹn giờ đăng" if _go_live_ahead(page) else "Duyệt và xuất bản"), None
        next_task = _task_after(state)
        if next_task is not None:
            return f"Duyệt, chuyển {recipient(next_task)}", None
        return "Duyệt", None
    if name == "approve":
        return "Duyệt kèm nhận xét", None
    if name == "reject":
        return "Trả bài kèm nhận xét", None
    if name == "action-submit":
        if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            role = workflow_task_role(state.current_task_state.task)
            return "Gửi lại " + SUBMIT_LABEL.get(role, "duyệt").removeprefix("Gửi "), None
        holder = page if page is not None and page.pk else parent
        workflow = holder.get_workflow() if holder is not None else None
        first = workflow.tasks.first() if workflow else None
        return SUBMIT_LABEL.get(workflow_task_role(first) if first else None, "Gửi duyệt"), None
    if name == "action-publish":
        return ("Hẹn giờ đăng" if _go_live_ahead(page) else "Xuất bản"), None
    if name == "action-unpublish":
        return "Ngừng đăng", None
    if name == "action-cancel-workflow":
        step = f" (đang ở bước “{state.current_task_state.task.name}”)" if state else ""
        return "Hủy quy trình", Confirmation(
            title="Hủy quy trình duyệt?",
            body=(
                f"{_kind(page).capitalize()} “{_title(page)}” sẽ rời quy trình duyệt{step} và "
                "trở về bản nháp; các lượt duyệt đã có không còn giá trị. Nội dung không bị xóa."
            ),
            yes="Hủy quy trình",
        )
    if name == "action-restart-workflow":
        return "Bắt đầu lại quy trình", Confirmation(
            title="Bắt đầu lại quy trình duyệt?",
            body=(
                f"Các lượt duyệt đã có của {_kind(page)} “{_title(page)}” sẽ bị bỏ; "
                f"{_kind(page)} được gửi lại từ bước đầu."
            ),
            yes="Bắt đầu lại quy trình",
        )
    return None, None


def _primary(items):
    """The expected next step: approve the step waiting for this person, else publish (or
    schedule) for whoever may, else send to the desk, else save the draft."""
    for wanted in ("approve", "action-publish", "action-submit", "action-save-draft"):
        for item in items:
            if item.name == wanted and not item.launch_modal:
                return item
    return None


def arrange_action_menu(menu_items, request, context):
    page, parent = context.get("page"), context.get("parent_page")
    state = page.current_workflow_state if page is not None and page.pk else None
    arranged = []
    for item in menu_items:
        label, confirm = _label_and_confirmation(item, page, state, parent)
        arranged.append(ArrangedMenuItem(item, label=label, confirm=confirm))
    primary = _primary(arranged)
    rest = [item for item in arranged if item is not primary]
    ordinary = [item for item in rest if item.name not in LAST]
    undoing = sorted((item for item in rest if item.name in LAST), key=lambda i: LAST.index(i.name))
    menu_items[:] = ([primary] if primary else []) + ordinary + undoing


# --- The messages -------------------------------------------------------------------------


ACTION_KEYS = (
    "action-submit",
    "action-restart-workflow",
    "action-workflow-action",
    "action-cancel-workflow",
    "action-publish",
)


def _workflow_message(request, page) -> str | None:
    """What happened to `page` in this request, in Vietnamese; None to keep Wagtail's."""
    post = request.POST
    kind, title = _kind(page), _title(page)
    state = page.current_workflow_state
    if post.get("action-submit") or post.get("action-restart-workflow"):
        if state is None:
            return None
        to = recipient(state.current_task_state.task)
        if post.get("action-restart-workflow"):
            return f"Đã bắt đầu lại quy trình: {kind} “{title}” được gửi cho {to}."
        resubmitted = state.task_states.filter(status="rejected").exists()
        return f"Đã gửi {'lại ' if resubmitted else ''}{kind} “{title}” cho {to}."
    if post.get("action-workflow-action"):
        return _task_action_message(post, page, state)
    if post.get("action-cancel-workflow"):
        return f"Đã hủy quy trình duyệt {kind} “{title}”: bản này trở về bản nháp."
    if post.get("action-publish"):
        return _published_message(page, approved=False)
    return None


def _task_action_message(post, page, state) -> str | None:
    kind, title = _kind(page), _title(page)
    action = post.get("workflow-action-name")
    try:
        extra = json.loads(post.get("workflow-action-extra-data") or "{}")
    except ValueError:
        extra = {}
    commented = bool((extra.get("comment") or "").strip())
    if action == "reject":
        back = state or page.workflow_states.order_by("-created_at").first()
        author = back.requested_by if back else None
        to = "phóng viên"
        if author is not None:
            to += " " + (author.get_full_name() or author.get_username())
        return f"Đã trả {kind} “{title}” về cho {to}" + (" kèm nhận xét." if commented else ".")
    if action == "approve":
        if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            to = recipient(state.current_task_state.task)
            return f"Đã duyệt {kind} “{title}” và gửi cho {to}."
        return _published_message(page, approved=True)
    return None


def _published_message(page, *, approved: bool) -> str:
    kind, title = _kind(page), _title(page)
    done = f"Đã duyệt {kind} “{title}”" if approved else f"Đã hẹn giờ đăng {kind} “{title}”"
    scheduled = page.scheduled_revision
    go_live_at = scheduled.approved_go_live_at if scheduled else None
    if go_live_at and go_live_at > timezone.now():
        return f"{done}. {kind.capitalize()} sẽ lên lúc {local_moment(go_live_at)}."
    verb = "Đã duyệt và xuất bản" if approved else "Đã xuất bản"
    return f"{verb} {kind} “{title}”."


def _buttons(page):
    buttons = []
    if page.live and page.url:
        buttons.append(messages.button(page.url, "Xem trên trang", new_window=True))
    buttons.append(messages.button(reverse("wagtailadmin_pages:edit", args=(page.pk,)), "Sửa"))
    return buttons


def replace_success_message(request, page):
    """Puts our message in place of the success message Wagtail just added."""
    if request.method != "POST" or not any(key in request.POST for key in ACTION_KEYS):
        return  # a plain save or an autosave: Wagtail's (translated) message stands
    page = type(page).objects.get(pk=page.pk).specific  # state after the action
    text = _workflow_message(request, page)
    if text is None:
        return
    storage = django_messages.get_messages(request)
    kept = list(storage)  # reading them marks them used: only those added again are kept
    for index in range(len(kept) - 1, -1, -1):
        if kept[index].level == django_messages.SUCCESS:
            del kept[index]
            break
    for message in kept:
        django_messages.add_message(request, message.level, message.message, message.extra_tags)
    messages.success(request, text, buttons=_buttons(page))
