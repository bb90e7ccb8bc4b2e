"""Helpers of the newsroom tests: a story as Wagtail's page editor posts it, and the
admin addresses the tests call."""

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from newsroom.models import HomePage, SectionPage
from newsroom.text import vi_slugify


def section_of(agency_slug: str, section_slug: str) -> SectionPage:
    home = HomePage.objects.get(slug=agency_slug)
    return SectionPage.objects.child_of(home).get(slug=section_slug)


def story_form(
    *,
    title="Khánh thành cầu treo bản Pù Nhi",
    standfirst="Cây cầu mới giúp bà con đi lại an toàn mùa mưa lũ.",
    paragraph="Sáng nay, cầu treo dài 120 mét đã được đưa vào sử dụng.",
    authors=(),
    contributors="",
    place="",
    commission="",
    go_live_at="",
    related=(),
    action=None,
    **extra,
):
    """The POST body of Wagtail's page editor for a StoryPage."""
    data = nested_form_data(
        {
            "title": title,
            "slug": vi_slugify(title) if title else "",
            "standfirst": standfirst,
            "body": streamfield([("paragraph", rich_text(paragraph))]),
            "bylines": inline_formset([{"author": a.pk, "credit": ""} for a in authors]),
            "contributors": contributors,
            "corrections": inline_formset([]),
            "related_links": inline_formset([{"target": story.pk} for story in related]),
            "comments": inline_formset([]),
            "primary_format": "text",
            "access_level": "free",
            "place": place,
            "commission": commission,
            "tags": "",
            "seo_title": "",
            "search_description": "",
            "go_live_at": go_live_at,
            "expire_at": "",
            **extra,
        }
    )
    if action:
        data[action] = "1"
    return data


def add_url(section: SectionPage) -> str:
    return reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", section.pk))


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def workflow_action_url(page, action: str) -> str:
    task_state = page.current_workflow_task_state
    assert task_state is not None, "the story is not in a workflow step"
    return reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))


def form_errors(response) -> dict:
    """The errors of the page form a refused POST rendered again (for assertion messages)."""
    context = getattr(response, "context", None)
    if not context or "form" not in context:
        return {"status": response.status_code}
    form = context["form"]
    errors = dict(form.errors)
    for name, formset in getattr(form, "formsets", {}).items():
        if formset.errors and any(formset.errors):
            errors[name] = formset.errors
        if formset.non_form_errors():
            errors[name + "-non-form"] = formset.non_form_errors()
    return errors


def assert_refused(response):
    """Wagtail's admin answers a PermissionDenied with 403, or with a redirect to the
    dashboard and a "no permission" message; a missing object is 404."""
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert response.url in ("/admin/", "/admin/login/") or response.url.startswith(
            "/admin/login/"
        ), response.url
