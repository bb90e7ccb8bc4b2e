"""Signals the newsroom listens to. Other apps follow publishing through Wagtail's own
`page_published` / `page_unpublished` signals; the newsroom follows Wagtail's workflow
signals to move the planning desk's assignments along with their stories."""

from django.dispatch import receiver
from wagtail.signals import task_submitted, workflow_rejected, workflow_submitted

from .models import StoryPage
from .services import assignments_mark_filed, assignments_mark_sent_back


def _story_id(workflow_state) -> int | None:
    model = workflow_state.content_type.model_class()
    if model is None or not issubclass(model, StoryPage):
        return None
    return int(workflow_state.object_id)


@receiver(workflow_submitted)
def file_assignments_on_submit(sender, instance, user=None, **kwargs):
    if (story_id := _story_id(instance)) is not None:
        assignments_mark_filed(story_id=story_id)


@receiver(task_submitted)
def file_assignments_on_resubmit(sender, instance, user=None, **kwargs):
    # Resubmitting after a send-back resumes the workflow without `workflow_submitted`;
    # each step that starts sends `task_submitted`, so listen there too.
    if (story_id := _story_id(instance.workflow_state)) is not None:
        assignments_mark_filed(story_id=story_id)


@receiver(workflow_rejected)
def reopen_assignments_on_send_back(sender, instance, user=None, **kwargs):
    if (story_id := _story_id(instance)) is not None:
        assignments_mark_sent_back(story_id=story_id)
