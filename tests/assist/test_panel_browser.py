"""A reporter of Báo Thanh Hóa writes, in Chromium, a story about a commune under its name
from before the 2025 reorganisation (thị trấn Bút Sơn, huyện Hoằng Hóa, today xã Hoằng
Hóa), with "Thanh Hoa" typed without its tone mark and no standfirst. The "Gợi ý AI" panel
suggests the outlet's tags, the section, the commune, a standfirst and related stories
and flags the missing mark; the reporter accepts some (a related story goes into "Xem
thêm"), rejects others, saves, and the story, the log of decisions and, once published,
the reader page say what was decided."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from assist.models import AssistDecision
from newsroom.models import Place, SectionPage, StoryPage
from tests.browser import chromium, save_draft, shot, staff_page

TITLE = "Nông dân thị trấn Bút Sơn được mùa lúa xuân"
BODY = (
    "Sáng 12/5, nông dân thị trấn Bút Sơn (huyện Hoằng Hóa) bắt đầu thu hoạch lúa vụ xuân "
    "trên cánh đồng mẫu lớn. Năng suất ước đạt 65 tạ/ha, cao hơn năm trước 3 tạ. Ông Lê "
    "Văn Hùng, một hộ trồng lúa, cho biết nhờ đưa máy gặt vào đồng ruộng, chi phí giảm đáng "
    "kể. Nông dân Thanh Hoa phấn khởi vì được mùa, được giá lúa gạo. Vụ mùa năm nay, địa "
    "phương tiếp tục mở rộng diện tích lúa chất lượng cao."
)


@pytest.mark.browser
def test_reporter_takes_ai_suggestions_for_a_story_with_old_place_names(
    live_server, demo, demo_password, settings
):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # the save click is the only save
    reporter = get_user_model().objects.get(username="phongvien.baothanhhoa")
    section = SectionPage.objects.get(slug="kinh-te", url_path__startswith="/baothanhhoa/")
    hoang_hoa = Place.objects.get(name="Xã Hoằng Hóa")

    with chromium() as browser:
        page = staff_page(browser, live_server.url, reporter.username, demo_password)
        try:
            standfirst, related_title = _write_and_decide(page, section)
        except Exception:
            shot(page, "assist-panel-failure")
            raise

    story = StoryPage.objects.get(title=TITLE)
    draft = story.get_latest_revision_as_object()
    assert draft.place_id == hoang_hoa.pk
    assert draft.standfirst == standfirst
    assert "lúa gạo" in set(draft.tags.names())
    assert "Thanh Hóa phấn khởi" in str(draft.body)
    assert "Thanh Hoa" not in str(draft.body)

    decisions = {
        (d.kind, d.value): d for d in AssistDecision.objects.filter(user=reporter, story=story)
    }
    assert decisions[("spelling", "Thanh Hóa")].accepted
    assert decisions[("spelling", "Thanh Hóa")].original == "Thanh Hoa"
    assert decisions[("tag", "lúa gạo")].accepted
    assert decisions[("place", "Xã Hoằng Hóa")].accepted
    assert decisions[("standfirst", standfirst)].accepted
    assert decisions[("section", "Kinh tế")].accepted
    assert decisions[("related", related_title)].accepted
    rejected = [d for d in decisions.values() if not d.accepted]
    assert [d.kind for d in rejected] == ["related"]

    # "Xem thêm" is saved with the draft; once published, readers find the link.
    related = StoryPage.objects.live().descendant_of(section.get_parent()).get(title=related_title)
    assert [link.target_id for link in draft.related_links.all()] == [related.pk]
    draft.get_latest_revision().publish()
    reader = Client().get(story.get_url_parts()[2], HTTP_HOST=story.get_site().hostname)
    assert reader.status_code == 200
    html = reader.content.decode()
    assert "Xem thêm" in html
    assert f'href="{related.get_url_parts()[2]}">{related.title}</a>' in html
    assert all(
        d.agency.slug == "baothanhhoa" and d.section_id == section.pk for d in decisions.values()
    )


def _item(panel, kind, text):
    return panel.locator(f"li.assist-item[data-kind='{kind}']", has_text=text).first


def _write_and_decide(page, section):
    page.goto(f"/admin/pages/add/newsroom/storypage/{section.pk}/")
    page.fill("#id_title", TITLE)
    page.locator("[data-contentpath='body'] button.c-sf-add-button").first.click()
    page.get_by_role("option", name="Đoạn văn").click()
    editor = page.locator("[data-contentpath='body'] .public-DraftEditor-content").first
    editor.click()
    page.keyboard.insert_text(BODY)
    expect(editor).to_contain_text("Thanh Hoa phấn khởi")

    panel = page.locator("section.assist-panel")
    expect(panel.get_by_role("heading", name="Gợi ý AI")).to_be_visible()
    panel.get_by_role("button", name="Lấy gợi ý AI").click()
    expect(panel.locator(".assist-status")).to_have_text("Đã có gợi ý.")
    items = panel.locator("li.assist-item")
    assert items.count() >= 5
    expect(panel.locator("li.assist-item:not(:has(.assist-badge))")).to_have_count(0)

    spelling = _item(panel, "spelling", "“Thanh Hoa” → “Thanh Hóa”")
    expect(spelling).to_contain_text("thiếu dấu thanh")
    place = _item(panel, "place", "Xã Hoằng Hóa")
    expect(place).to_contain_text("thị trấn Bút Sơn")
    section_item = _item(panel, "section", "Kinh tế")
    expect(section_item).to_contain_text("đúng chuyên mục")
    tag = _item(panel, "tag", "lúa gạo")
    expect(tag).to_be_visible()
    standfirst_item = panel.locator("li.assist-item[data-kind='standfirst']").first
    expect(standfirst_item).to_contain_text("Sáng 12/5")
    shot(page, "assist-panel-suggestions")

    spelling.get_by_role("button", name="Sửa").click()
    expect(spelling).to_contain_text("Đã chấp nhận")
    expect(editor).to_contain_text("Thanh Hóa phấn khởi")
    tag.get_by_role("button", name="Thêm").click()
    expect(tag).to_contain_text("Đã chấp nhận")
    place.get_by_role("button", name="Chọn").click()
    expect(page.locator("input[name='place']")).to_have_value(
        str(Place.objects.get(name="Xã Hoằng Hóa").pk)
    )
    expect(page.locator("[data-contentpath='place']")).to_contain_text("Hoằng Hóa")
    section_item.get_by_role("button", name="Chấp nhận").click()
    expect(section_item).to_contain_text("Đã chấp nhận")
    standfirst_text = standfirst_item.locator(".assist-value").inner_text()
    standfirst_item.get_by_role("button", name="Dùng sapo này").click()
    expect(page.locator("#id_standfirst")).to_have_value(standfirst_text)
    # The first related story goes into "Xem thêm" (a new row of its inline panel), the
    # second is rejected.
    related = panel.locator("li.assist-item[data-kind='related']")
    related_title = related.first.locator(".assist-value").inner_text()
    related.first.get_by_role("button", name="Thêm vào Xem thêm").click()
    expect(related.first).to_contain_text("Đã chấp nhận")
    expect(page.locator("#id_related_links-0-target-chooser")).to_contain_text(related_title)
    related.nth(1).get_by_role("button", name="Bỏ qua").click()
    expect(related.nth(1)).to_contain_text("Đã bỏ qua")
    expect(place).to_contain_text("Đã chấp nhận")
    expect(standfirst_item).to_contain_text("Đã chấp nhận")
    # Draftail writes its hidden input a moment after the change (debounced).
    expect(page.locator("input[name='body-0-value']")).to_have_value(
        re.compile("Thanh Hóa phấn khởi")
    )
    shot(page, "assist-panel-decided")

    save_draft(page)
    expect(page.locator(".messages .success").first).to_be_visible()
    return standfirst_text, related_title
