"""Each suggester on realistic Vietnamese drafts, against the demo outlets' own archive."""

import datetime

import pytest
from django.utils import timezone

from assist import suggesters
from assist.models import AssistSettings, ToneStyle
from assist.selectors import outlet_context
from assist.suggesters import Draft
from newsroom.models import SectionPage
from search.models import StoryIndex

RICE = Draft(
    title="Nông dân thị trấn Bút Sơn được mùa lúa xuân",
    standfirst="",
    body=(
        "Sáng 12/5, nông dân thị trấn Bút Sơn (huyện Hoằng Hóa) bắt đầu thu hoạch lúa vụ "
        "xuân trên cánh đồng mẫu lớn. Năng suất ước đạt 65 tạ/ha, cao hơn năm trước 3 tạ. "
        "Ông Lê Văn Hùng cho biết nhờ đưa máy gặt vào đồng ruộng, chi phí giảm đáng kể. "
        "Nông dân Thanh Hoa phấn khởi vì được mùa, được giá lúa gạo."
    ),
)


def _section(agency, slug):
    return SectionPage.objects.get(slug=slug, url_path__startswith=f"/{agency}/")


@pytest.fixture
def kinh_te(demo):
    return outlet_context(section=_section("baothanhhoa", "kinh-te"))


def test_tags_from_the_outlet_vocabulary_then_new_phrases(kinh_te):
    draft = Draft(
        title="Thanh Hóa đẩy mạnh chuyển đổi số trong nông nghiệp",
        standfirst="Nông dân theo dõi độ ẩm đất bằng điện thoại, bán nông sản trên thương mại điện tử.",
        body="Nhiều hợp tác xã đã bán nông sản qua sàn thương mại điện tử. "
        "Nông sản của hợp tác xã có mã QR truy xuất nguồn gốc.",
    )
    tags = suggesters.tags(draft, kinh_te)
    vocabulary = [t["value"] for t in tags if t["source"] == "vocabulary"]
    new = [t["value"] for t in tags if t["source"] == "new"]
    assert {"chuyển đổi số", "thương mại điện tử"} <= set(vocabulary[:3])
    assert "nông sản" in new
    assert not set(new) & set(kinh_te.tag_names)  # new means new
    assert tags.index(next(t for t in tags if t["source"] == "new")) == len(vocabulary)


def test_a_tag_is_matched_with_its_tone_marks(kinh_te):
    # "báo chí" is not the tag "bão" (storm); "bao" typed without marks may be.
    draft = Draft(title="Báo chí Thanh Hóa với cơ quan báo chí trong tỉnh", body="")
    assert "bão" not in [t["value"] for t in suggesters.tags(draft, kinh_te)]


def test_section_of_the_outlet(demo):
    ctx = outlet_context(section=_section("baothanhhoa", "thoi-su"))
    draft = Draft(
        title="Câu lạc bộ bóng đá Thanh Hóa thắng trận thứ ba liên tiếp ở V-League",
        standfirst="Đội bóng xứ Thanh giành ba điểm trên sân nhà trước hàng vạn cổ động viên.",
        body="Trận đấu diễn ra trên sân vận động Thanh Hóa. Các cầu thủ thi đấu quyết tâm.",
    )
    sections = suggesters.section(draft, ctx)
    assert sections[0]["value"] == "Thể thao"
    assert all(s["id"] in ctx.sections for s in sections)


def test_communes_with_old_names(kinh_te):
    (place,) = suggesters.communes(RICE, kinh_te)
    assert place["value"] == "Xã Hoằng Hóa"
    assert "thị trấn Bút Sơn" in place["reason"]


def test_related_stories_of_the_same_outlet_never_the_story_itself(kinh_te):
    related = suggesters.related(RICE, kinh_te)
    assert related[0]["value"] == "Giá lúa tăng, nông dân vùng đồng bằng phấn khởi"
    own = StoryIndex.objects.get(headline=related[0]["value"])
    outlet_pages = set(
        StoryIndex.objects.filter(outlet_id=kinh_te.outlet_id).values_list("page_id", flat=True)
    )
    assert {r["id"] for r in related} <= outlet_pages
    itself = Draft(
        title=own.headline, standfirst=own.standfirst, body=own.body, page_id=own.page_id
    )
    assert own.page_id not in {r["id"] for r in suggesters.related(itself, kinh_te)}


def test_standfirst_is_taken_from_the_body():
    (suggestion,) = suggesters.standfirst(RICE)
    assert suggestion["value"].startswith("Sáng 12/5, nông dân thị trấn Bút Sơn")
    assert len(suggestion["value"]) <= suggesters.STANDFIRST_MAX
    same = Draft(title=RICE.title, standfirst=suggestion["value"], body=RICE.body)
    assert suggesters.standfirst(same) == []


def test_headline_length_and_duplicate_of_the_last_30_days(kinh_te):
    long = Draft(
        title="Thanh Hóa " + "đẩy mạnh phát triển kinh tế biển gắn với bảo vệ môi trường " * 2
    )
    assert [c["code"] for c in suggesters.headline(long, kinh_te)] == ["too_long_social"]
    story = StoryIndex.objects.filter(outlet_id=kinh_te.outlet_id).first()
    dup = Draft(title=story.headline.replace("Thanh Hóa", "Thanh Hoá"))
    StoryIndex.objects.filter(pk=story.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=40)
    )
    assert "duplicate" not in [c["code"] for c in suggesters.headline(dup, kinh_te)]
    StoryIndex.objects.filter(pk=story.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=3)
    )
    checks = suggesters.headline(dup, kinh_te)
    assert [c["url"] for c in checks if c["code"] == "duplicate"] == [story.url]
    # The story itself, being edited, is not its own duplicate.
    itself = Draft(title=story.headline, page_id=story.page_id)
    assert "duplicate" not in [c["code"] for c in suggesters.headline(itself, kinh_te)]


def _spelling(draft, ctx):
    return {(s["field"], s["original"]): s for s in suggesters.spelling(draft, ctx)}


def test_missing_tone_marks_and_typos(kinh_te):
    found = _spelling(RICE, kinh_te)
    assert found[("body", "Thanh Hoa")]["value"] == "Thanh Hóa"
    assert found[("body", "Thanh Hoa")]["code"] == "marks"
    # "chi phí" typed with its marks: "chi" is a word of its own.
    assert ("body", "chi") not in found
    typos = _spelling(Draft(body="Xã được sát nhập và bổ xung ngân sách. Sử lý nghiêm."), kinh_te)
    assert typos[("body", "sát nhập")]["value"] == "sáp nhập"
    assert typos[("body", "bổ xung")]["value"] == "bổ sung"
    assert typos[("body", "Sử lý")]["value"] == "Xử lý"


def test_tone_placement_follows_the_agency_house_style(kinh_te, demo):
    draft = Draft(title="Văn hoá Thanh Hóa", body="Thuỷ lợi và sức khỏe.")
    first = _spelling(draft, kinh_te)
    assert first[("title", "hoá")]["value"] == "hóa"
    assert first[("body", "Thuỷ")]["value"] == "Thủy"
    assert ("body", "khỏe") not in first
    settings = AssistSettings.objects.get(agency__slug="baothanhhoa")
    settings.tone_style = ToneStyle.SECOND
    settings.save()
    second = _spelling(draft, outlet_context(section=_section("baothanhhoa", "kinh-te")))
    assert second[("title", "Hóa")]["value"] == "Hoá"
    assert second[("body", "khỏe")]["value"] == "khoẻ"
    assert ("title", "hoá") not in second
