"""The panel's JSON endpoints and the admin log: staff only, the user's own agency only,
CSRF, size-limited input, and every decision recorded."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from aiservices.models import CallLog, UsageMonth
from assist.models import AssistDecision
from newsroom.models import SectionPage, StoryPage

User = get_user_model()
DRAFT = {
    "title": "Nông dân thị trấn Bút Sơn được mùa lúa xuân",
    "standfirst": "",
    "body": "Sáng nay, nông dân thị trấn Bút Sơn thu hoạch lúa. Nông dân Thanh Hoa phấn khởi.",
}


def _section(agency, slug="kinh-te"):
    return SectionPage.objects.get(slug=slug, url_path__startswith=f"/{agency}/")


def _client(username, **kwargs):
    client = Client(**kwargs)
    client.force_login(User.objects.get(username=username))
    return client


def _refused(response):
    """Wagtail answers a refused admin page with a redirect to the dashboard."""
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response["Location"] == "/admin/"


def _post(client, name, data, **extra):
    return client.post(reverse(name), json.dumps(data), content_type="application/json", **extra)


@pytest.fixture
def reporter(demo):
    return _client("phongvien.baothanhhoa")


def test_suggestions_for_a_new_story_in_own_section(reporter):
    response = _post(reporter, "assist_suggest", DRAFT | {"parent_id": _section("baothanhhoa").pk})
    assert response.status_code == 200
    data = response.json()
    assert data["places"][0]["value"] == "Xã Hoằng Hóa"
    assert {"original": "Thanh Hoa", "value": "Thanh Hóa"}.items() <= data["spelling"][0].items()
    assert data["current_section"] == _section("baothanhhoa").pk
    assert set(data) >= {"tags", "sections", "related", "standfirst", "headline"}


def test_suggestions_for_a_story_being_edited(reporter):
    story = StoryPage.objects.child_of(_section("baothanhhoa")).first()
    response = _post(reporter, "assist_suggest", DRAFT | {"page_id": story.pk})
    assert response.status_code == 200
    assert story.pk not in [r["id"] for r in response.json()["related"]]


def test_each_suggestion_request_counts_in_the_agencys_ai_usage(reporter):
    story = StoryPage.objects.child_of(_section("baothanhhoa")).first()
    for data in ({"page_id": story.pk}, {"parent_id": _section("baothanhhoa").pk}):
        assert _post(reporter, "assist_suggest", DRAFT | data).status_code == 200
    chars = len("\n".join([DRAFT["title"], DRAFT["standfirst"], DRAFT["body"]]))
    calls = CallLog.objects.filter(capability="assist").order_by("at")
    assert [(c.provider, c.ok, c.units, c.user.username) for c in calls] == [
        ("offline", True, chars, "phongvien.baothanhhoa")
    ] * 2
    assert calls[0].subject == f"trang {story.pk}" and calls[0].duration_ms > 0
    usage = UsageMonth.objects.get(capability="assist")
    assert (usage.agency.slug, usage.calls, usage.failures, usage.units) == (
        "baothanhhoa",
        2,
        0,
        2 * chars,
    )
    # The monthly usage screen names it (editor-in-chief of the agency).
    listing = _client("tongbientap.baothanhhoa").get("/admin/snippets/aiservices/usagemonth/")
    assert "Gợi ý AI cho biên tập" in listing.content.decode()


def test_another_agency_is_refused(demo):
    other = _client("phongvien.ptth")
    section = _section("baothanhhoa")
    story = StoryPage.objects.child_of(section).first()
    for data in ({"parent_id": section.pk}, {"page_id": story.pk}):
        response = _post(other, "assist_suggest", DRAFT | data)
        assert response.status_code == 403
        assert response.json()["error"] == "Bạn không có quyền với bài hoặc chuyên mục này."
        decision = {"kind": "tag", "value": "lúa gạo", "accepted": True} | data
        assert _post(other, "assist_decide", decision).status_code == 403
    assert not AssistDecision.objects.exists()
    assert not CallLog.objects.exists()  # a refused request is no call


def test_anonymous_and_readers_are_refused(demo):
    data = DRAFT | {"parent_id": _section("baothanhhoa").pk}
    assert _post(Client(), "assist_suggest", data).status_code in (302, 403)
    reader = _client("docgia.thuebao")
    assert _post(reader, "assist_suggest", data).status_code in (302, 403)


def test_csrf_is_checked(demo):
    client = _client("phongvien.baothanhhoa", enforce_csrf_checks=True)
    response = _post(client, "assist_suggest", DRAFT | {"parent_id": _section("baothanhhoa").pk})
    assert response.status_code == 403


def test_bad_input_is_refused_in_vietnamese(reporter, settings):
    parent = {"parent_id": _section("baothanhhoa").pk}
    response = reporter.post(
        reverse("assist_suggest"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    settings.ASSIST_MAX_INPUT_BYTES = 1000
    response = _post(reporter, "assist_suggest", DRAFT | parent | {"body": "lúa " * 400})
    assert response.status_code == 413
    assert response.json()["error"] == "Bài quá dài để gợi ý (tối đa 1 KB văn bản)."
    assert reporter.get(reverse("assist_suggest")).status_code == 405
    bad = {"kind": "horoscope", "value": "x", "accepted": True} | parent
    response = _post(reporter, "assist_decide", bad)
    assert response.status_code == 400
    assert response.json()["error"].startswith("Quyết định không hợp lệ")
    response = _post(
        reporter, "assist_decide", {"kind": "tag", "value": "x", "accepted": "có"} | parent
    )
    assert response.status_code == 400
    assert not AssistDecision.objects.exists()


def test_decisions_are_logged_and_shown_to_own_agency_editors_only(reporter, demo):
    section = _section("baothanhhoa")
    story = StoryPage.objects.child_of(section).first()
    for kind, value, accepted in (("tag", "lúa gạo", True), ("place", "Xã Hoằng Hóa", False)):
        data = {"kind": kind, "value": value, "accepted": accepted, "page_id": story.pk}
        assert _post(reporter, "assist_decide", data).status_code == 200
    rows = AssistDecision.objects.order_by("pk")
    assert [(d.kind, d.value, d.accepted, d.story_id) for d in rows] == [
        ("tag", "lúa gạo", True, story.pk),
        ("place", "Xã Hoằng Hóa", False, story.pk),
    ]
    assert all(
        d.user.username == "phongvien.baothanhhoa" and d.agency.slug == "baothanhhoa" for d in rows
    )

    index = reverse("wagtailsnippets_assist_assistdecision:list")
    inspect = reverse("wagtailsnippets_assist_assistdecision:inspect", args=[rows[0].pk])
    editor = _client("bientap.baothanhhoa")
    page = editor.get(index)
    assert page.status_code == 200
    assert "lúa gạo" in page.content.decode()
    assert editor.get(inspect).status_code == 200
    other = _client("bientap.ptth")
    page = other.get(index)
    assert page.status_code == 200
    assert "lúa gạo" not in page.content.decode()
    _refused(other.get(inspect))
    # A reporter takes decisions; reading the log is for editors.
    assert reporter.get(index).status_code in (302, 403)


def test_house_style_is_edited_for_own_agency_only(demo):
    from assist.models import AssistSettings

    own = AssistSettings.objects.get(agency__slug="baothanhhoa")
    other = AssistSettings.objects.get(agency__slug="ptth")
    chief = _client("tongbientap.baothanhhoa")
    edit = "wagtailsnippets_assist_assistsettings:edit"
    assert chief.get(reverse(edit, args=[own.pk])).status_code == 200
    _refused(chief.get(reverse(edit, args=[other.pk])))
    assert chief.post(reverse(edit, args=[other.pk]), {"tone_style": "second"}).status_code == 302
    other.refresh_from_db()
    assert other.tone_style == "first"
    response = chief.post(reverse(edit, args=[own.pk]), {"tone_style": "second"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.tone_style == "second"
    assert _client("bientap.baothanhhoa").get(reverse(edit, args=[own.pk])).status_code in (
        302,
        403,
    )
