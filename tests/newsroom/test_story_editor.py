"""The story editor and the planning forms as a reporter and a managing editor use them:
Vietnamese slugs, classification on the content tab, person pickers limited to the
agency's journalists (and refused otherwise), the commune chooser searched without
diacritics, and an assignment's commune and formats carried into its story."""

import html
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.coreutils import get_js_regex

from newsroom.models import Assignment, AssignmentStatus, Place, StoryPage
from newsroom.services import assignment_primary_format
from newsroom.text import slug_js_formatters, vi_clean_slug, vi_slugify
from tests.newsroom.helpers import add_url, edit_url, form_errors, story_form

pytestmark = pytest.mark.django_db

HEADLINE = "Lũ quét Mường Lát: đường đến Trung Lý"


def test_vietnamese_headlines_give_transliterated_slugs():
    assert vi_slugify(HEADLINE) == "lu-quet-muong-lat-duong-den-trung-ly"
    assert vi_slugify("ĐẢNG BỘ ĐÔNG SƠN") == "dang-bo-dong-son"
    # Typed on a keyboard that sends combining marks (NFD): the same slug.
    assert vi_slugify("Mu\u031bo\u031b\u0300ng La\u0301t") == "muong-lat"
    # A slug typed raw is transliterated; a valid ASCII slug is kept as it is.
    assert vi_clean_slug("Lũ quét Đà Nẵng") == "lu-quet-da-nang"
    assert vi_clean_slug("ban-tin-18h") == "ban-tin-18h"


def js_urlify_like(value: str) -> str:
    """What Wagtail's `w-slug` controller does with the formatters in the browser: apply
    each regex in turn (global), then urlify's own lower-case and non-word removal."""
    for pattern, replacement in slug_js_formatters():
        source, flags = get_js_regex(pattern)
        assert "g" in flags
        value = re.sub(source, replacement, value)
    value = re.sub(r"[^-\w\s]", "", value.lower(), flags=re.ASCII)
    return re.sub(r"[-\s]+", "-", value).strip("-")


def test_browser_formatters_transliterate_like_the_server():
    for text in (HEADLINE, "Đồng bào Hmông ở Pù Nhi", "Thủy điện Trung Sơn xả lũ"):
        assert js_urlify_like(text) == vi_slugify(text, 255)


def test_new_story_slug_is_transliterated_on_the_server(login, staff, section):
    reporter = staff("phongvien.baothanhhoa")
    client = login(reporter.username)
    # The form sends the slug input with the Vietnamese formatters for Wagtail's JS.
    page = client.get(add_url(section)).content.decode()
    slug_input = re.search(r'<input[^>]*name="slug"[^>]*>', page).group(0)
    assert 'data-controller="w-slug"' in slug_input
    formatters = json.loads(
        html.unescape(re.search(r'data-w-slug-formatters-value="([^"]*)"', slug_input).group(1))
    )
    assert ["d"] == [r for p, r in formatters if "đ" in p[0] and "Đ" in p[0]]

    # JavaScript off: the slug field sent empty gets the headline's slug...
    data = story_form(title=HEADLINE, authors=[reporter], slug="")
    response = client.post(add_url(section), data)
    assert response.status_code == 302, form_errors(response)
    assert StoryPage.objects.get(title=HEADLINE).slug == "lu-quet-muong-lat-duong-den-trung-ly"
    # ...a second story with the same headline gets a free one...
    response = client.post(add_url(section), data)
    assert response.status_code == 302, form_errors(response)
    slugs = set(StoryPage.objects.filter(title=HEADLINE).values_list("slug", flat=True))
    assert slugs == {
        "lu-quet-muong-lat-duong-den-trung-ly",
        "lu-quet-muong-lat-duong-den-trung-ly-2",
    }
    # ...a slug typed raw is transliterated, not refused...
    raw = story_form(title="Cầu Đò Lèn", authors=[reporter], slug="Cầu Đò Lèn thông xe")
    assert client.post(add_url(section), raw).status_code == 302
    assert StoryPage.objects.get(title="Cầu Đò Lèn").slug == "cau-do-len-thong-xe"
    # ...and a slug already used in the section is refused in Vietnamese, nothing saved.
    taken = story_form(title="Bài khác", authors=[reporter], slug="cau-do-len-thong-xe")
    response = client.post(add_url(section), taken)
    assert response.status_code == 200
    assert "đã có trang khác dùng" in str(form_errors(response)["slug"])
    assert not StoryPage.objects.filter(title="Bài khác").exists()


def test_classification_is_on_the_content_tab_and_seo_on_a_vietnamese_tab(login, section):
    page = login("phongvien.baothanhhoa").get(add_url(section)).content.decode()
    tabs = re.findall(r'<a[^>]*role="tab"[^>]*>\s*(.*?)\s*</a>', page, re.S)
    # Each tab label is followed by an (empty) error counter; a reporter, who cannot
    # publish, has no schedule tab.
    labels = [re.sub(r"<[^>]+>|\s+|\(\s*\)", " ", t).split("  ")[0].strip() for t in tabs]
    assert labels[:2] == ["Nội dung", "Tối ưu tìm kiếm (SEO)"]
    content = page[page.index('id="tab-noi_dung"') : page.index('id="tab-toi_uu_tim_kiem_seo"')]
    for name in ("place", "tags", "access_level", "primary_format", "political_task"):
        assert f'name="{name}"' in content, name
    assert "Phân loại và quyền đọc" in content
    assert section.title in content  # the section the story is filed under
    assert "Promote" not in page


def byline_options(page_html: str) -> set[str]:
    select = re.search(r'<select[^>]*name="bylines-0-author".*?</select>', page_html, re.S)
    return set(re.findall(r'<option value="(\d+)"', select.group(0)))


def test_byline_starts_as_the_author_and_offers_only_the_agencys_journalists(login, staff, section):
    users = get_user_model().objects
    reporter = staff("phongvien.baothanhhoa")
    page = login(reporter.username).get(add_url(section)).content.decode()
    assert re.search(rf'<option value="{reporter.pk}" selected', page)
    offered = byline_options(page)
    expected = {
        str(staff(f"{role}.baothanhhoa").pk)
        for role in ("phongvien", "bientap", "thuky", "tongbientap")
    }
    assert offered == expected
    for outsider in ("phongvien.ptth", "so.tttt", "docgia.thuebao", "quantri"):
        assert str(users.get(username=outsider).pk) not in offered


def test_crafted_byline_from_another_agency_is_refused(login, staff, section):
    outsider = staff("phongvien.ptth")
    data = story_form(title="Bài ký tên người ngoài", authors=[outsider], action="action-submit")
    response = login("phongvien.baothanhhoa").post(add_url(section), data)
    assert response.status_code == 200
    assert "Tác giả phải là phóng viên hoặc biên tập viên của" in str(form_errors(response))
    assert not StoryPage.objects.filter(title="Bài ký tên người ngoài").exists()


def test_byline_of_an_existing_story_stays_valid(login, staff, section):
    """An author already signed on a story is still accepted when the story is edited."""
    reporter = staff("phongvien.baothanhhoa")
    client = login(reporter.username)
    client.post(add_url(section), story_form(title="Bài cũ", authors=[reporter]))
    story = StoryPage.objects.get(title="Bài cũ")
    form_class = StoryPage.get_edit_handler().get_form_class()
    form = form_class(instance=story, parent_page=section, for_user=reporter)
    assert form.formsets["bylines"].forms[0].fields["author"].queryset.filter(pk=reporter.pk)
    response = client.post(edit_url(story), story_form(title="Bài cũ", authors=[reporter]))
    assert response.status_code == 302, form_errors(response)


ASSIGNMENT_TITLE = "Tường thuật phiên họp thường kỳ UBND tỉnh"


def assignment_data(assignment, **changes):
    data = {
        "agency": assignment.agency_id,
        "title": assignment.title,
        "brief": assignment.brief,
        "formats": assignment.formats,
        "section": assignment.section_id,
        "place": assignment.place_id or "",
        "deadline": assignment.deadline.strftime("%Y-%m-%d %H:%M"),
        "priority": assignment.priority,
        "status": assignment.status,
        "reporters": [u.pk for u in assignment.reporters.all()],
        "story": assignment.story_id or "",
        "commission": assignment.commission_id or "",
    }
    data.update(changes)
    return data


def test_assignee_picker_lists_only_the_agencys_reporters_and_desk_editors(login, staff, demo):
    assignment = Assignment.objects.get(title=ASSIGNMENT_TITLE)
    url = reverse("wagtailsnippets_newsroom_assignment:edit", args=(assignment.pk,))
    page = login("thuky.baothanhhoa").get(url).content.decode()
    offered = set(re.findall(r'name="reporters" value="(\d+)"', page))
    assert offered == {
        str(staff("phongvien.baothanhhoa").pk),
        str(staff("bientap.baothanhhoa").pk),
    }
    assert "Trần Minh Anh (phongvien.baothanhhoa)" in page


def test_crafted_assignment_to_another_agencys_reporter_is_refused(login, staff, demo):
    assignment = Assignment.objects.get(title=ASSIGNMENT_TITLE)
    before = set(assignment.reporters.values_list("pk", flat=True))
    url = reverse("wagtailsnippets_newsroom_assignment:edit", args=(assignment.pk,))
    client = login("thuky.baothanhhoa")
    foreign = [staff("phongvien.ptth").pk, staff("docgia.thuebao").pk]
    response = client.post(url, assignment_data(assignment, reporters=foreign, title="Đổi tên"))
    assert response.status_code == 200
    errors = str(response.context["form"].errors["reporters"])
    assert "không phải phóng viên hay biên tập viên của cơ quan bạn" in errors
    assignment.refresh_from_db()
    assert assignment.title == ASSIGNMENT_TITLE
    assert set(assignment.reporters.values_list("pk", flat=True)) == before

    # The agency's own desk editor is accepted.
    desk = staff("bientap.baothanhhoa")
    response = client.post(url, assignment_data(assignment, reporters=[desk.pk]))
    assert response.status_code == 302, response.context["form"].errors
    assert list(assignment.reporters.all()) == [desk]


def test_commune_chooser_finds_communes_typed_without_diacritics(login, demo):
    client = login("phongvien.baothanhhoa")
    results = reverse("wagtailsnippetchoosers_newsroom_place:choose_results")
    for query in ("muong lat", "Muong Lat", "MƯỜNG LÁT", "mường lát"):
        page = client.get(results, {"q": query}).content.decode()
        names = set(re.findall(r"Mường Lát", page))
        assert names, query
        assert "Trung Lý" not in page
    page = client.get(results, {"q": "trung ly"}).content.decode()
    trung_ly = Place.objects.get(name__endswith="Trung Lý")
    assert trung_ly.name in page
    assert "Mường Lát" not in page
    # The chooser opens with a search box in Vietnamese.
    chooser = client.get(reverse("wagtailsnippetchoosers_newsroom_place:choose"))
    assert "Gõ tên xã/phường, có dấu hay không dấu" in chooser.json()["html"]


def test_formats_of_an_assignment_map_to_the_storys_original_format():
    assert assignment_primary_format(["radio"]) == "radio"
    assert assignment_primary_format(["text", "photo"]) == "text"
    assert assignment_primary_format(["tv", "radio"]) == "multimedia"
    assert assignment_primary_format([]) is None


def test_story_written_from_an_assignment_carries_its_commune_and_formats(login, staff, demo):
    assignment = Assignment.objects.get(title=ASSIGNMENT_TITLE)
    muong_lat = Place.objects.get(name__endswith="Mường Lát")
    assignment.place = muong_lat
    assignment.formats = ["radio"]
    assignment.save()
    reporter = staff("phongvien.baothanhhoa")
    client = login(reporter.username)
    response = client.get(reverse("newsroom_assignment_write", args=(assignment.pk,)))
    page = client.get(response.url).content.decode()
    assert re.search(rf'<input[^>]*name="place"[^>]*value="{muong_lat.pk}"', page)
    assert re.search(r'<option value="radio" selected', page)
    assert re.search(rf'<option value="{reporter.pk}" selected', page)

    # Saved as the reporter saw it: the story keeps the commune and format.
    data = story_form(
        title=HEADLINE, authors=[reporter], place=muong_lat.pk, primary_format="radio"
    )
    response = client.post(response.url, data)
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=HEADLINE)
    assert (story.place, story.primary_format) == (muong_lat, "radio")
    assignment.refresh_from_db()
    assert assignment.story_id == story.pk and assignment.status == AssignmentStatus.IN_PROGRESS

    # Another new story in the same section, not from the assignment, starts empty.
    page = client.get(add_url(assignment.section)).content.decode()
    assert not re.search(rf'<input[^>]*name="place"[^>]*value="{muong_lat.pk}"', page)
