"""Each agency's editors manage their own outlets' newsletters only, by the listing and by
the address of a record alike (Wagtail's generic views fetch the object by pk)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Site

from newsletters.models import Edition, Newsletter, Subscriber
from newsroom.models import SectionPage

pytestmark = pytest.mark.django_db


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def test_another_agencys_lists_editions_and_subscribers_stay_closed(client, demo):
    subscriber = Subscriber.objects.filter(site__hostname__contains="vannghe").first()
    assert subscriber is not None
    newsletter = Newsletter.objects.filter(site=subscriber.site).first()
    edition = Edition.objects.create(
        newsletter=newsletter, subject="Điểm tin Văn nghệ", date=datetime.date(2001, 1, 2)
    )
    login(client, "tongbientap.ptth")
    for url in (
        f"/admin/ban-tin/nguoi-nhan/inspect/{subscriber.pk}/",
        f"/admin/ban-tin/nguoi-nhan/edit/{subscriber.pk}/",
        f"/admin/ban-tin/nguoi-nhan/delete/{subscriber.pk}/",
        f"/admin/ban-tin/danh-sach/edit/{newsletter.pk}/",
        f"/admin/ban-tin/so/edit/{edition.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert subscriber.email.encode() not in response.content
    client.post(f"/admin/ban-tin/danh-sach/edit/{newsletter.pk}/", {"title": "Đã bị sửa"})
    client.post(f"/admin/ban-tin/nguoi-nhan/delete/{subscriber.pk}/")
    newsletter.refresh_from_db()
    assert newsletter.title != "Đã bị sửa"
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    login(client, "tongbientap.vannghe")
    response = client.get(f"/admin/ban-tin/nguoi-nhan/inspect/{subscriber.pk}/")
    assert response.status_code == 200 and subscriber.email in response.content.decode()


def test_a_list_stays_on_an_own_outlet_with_its_own_sections(client, demo):
    login(client, "tongbientap.ptth")
    other = Site.objects.get(hostname__contains="vannghe")
    own = Site.objects.get(site_name="Truyền hình Thanh Hóa")
    newsletter = Newsletter.objects.filter(site=own, section__isnull=True).get()
    url = f"/admin/ban-tin/danh-sach/edit/{newsletter.pk}/"
    data = {"title": "Tin nóng", "send_time": "18:00", "sort_order": "5", "is_active": "on"}
    html = client.post(url, {**data, "site": other.pk}).content.decode()
    assert "không thuộc cơ quan của bạn" in html
    section = SectionPage.objects.descendant_of(other.root_page).first()
    html = client.post(url, {**data, "site": own.pk, "section": section.pk}).content.decode()
    assert "Chuyên mục này không thuộc trang báo đã chọn." in html
    newsletter.refresh_from_db()
    assert newsletter.site == own and newsletter.title != "Tin nóng"
    assert client.post(url, {**data, "site": own.pk}).status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.title == "Tin nóng"
