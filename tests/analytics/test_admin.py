from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from analytics.models import GuidanceDocument, GuidanceReceipt, IpRange, YearlyReport
from newsroom.models import Agency

pytestmark = pytest.mark.django_db
BASE = "/admin/thong-ke/"


def denied(response) -> bool:
    """Wagtail's admin turns PermissionDenied into a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == "/admin/"
    )


@pytest.fixture
def login(client, demo):
    def as_(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return as_


def test_editor_in_chief_dashboard_has_charts_and_numbers(login):
    c = login("tongbientap.baothanhhoa")
    response = c.get(BASE + "?nam=2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="places"' in html and "chart-4.6.1.umd.min.js" in html
    assert 'id="hoitu-charts"' in html
    assert response.context["total"]["pageviews"] > 0  # the demo's audience
    assert response.context["places"]["urban"] > response.context["places"]["rural"]
    weekly = c.get(BASE + "?nam=2025&ky=tuan")
    assert weekly.status_code == 200
    assert weekly.context["charts"]["output"]["data"]["labels"][-1] == "Tuần 52"
    assert "Theo phóng viên" in html and "So với 2020" in html


def test_reporter_sees_own_numbers_not_other_agencies(login):
    c = login("phongvien.baothanhhoa")
    assert c.get(BASE).url == BASE + "cua-toi/"
    response = c.get(BASE + "cua-toi/?nam=2025")
    assert response.status_code == 200
    assert response.context["count"] >= 1
    assert denied(c.get(BASE + "chi-tieu/?co-quan=ptth"))
    assert denied(c.get(BASE + "so/"))


def test_officer_portal_reads_every_agency_and_reviews_reports(login):
    eic = login("tongbientap.baothanhhoa")
    response = eic.post(BASE + "chi-tieu/gui-so/?nam=2025&co-quan=baothanhhoa")
    assert response.status_code == 302
    report = YearlyReport.objects.get(agency__slug="baothanhhoa", year=2025)
    assert report.status == "submitted" and report.file.name.endswith(".xlsx")
    officer = login("so.tttt")
    page = officer.get(BASE + "so/?nam=2025")
    assert page.status_code == 200
    for agency in Agency.objects.all():
        assert agency.name in page.content.decode()
    # Read-only: the officer cannot submit an agency's report.
    assert denied(officer.post(BASE + "chi-tieu/gui-so/?nam=2025&co-quan=ptth"))
    officer.post(BASE + f"so/bao-cao/{report.pk}/", {"status": "received", "note": "Đủ"})
    report.refresh_from_db()
    assert report.status == "received" and report.officer_note == "Đủ"
    login("tongbientap.baothanhhoa").post(BASE + "chi-tieu/gui-so/?nam=2025&co-quan=baothanhhoa")
    report.refresh_from_db()
    assert report.status == "received"  # a received report is not replaced


def test_guidance_goes_down_with_read_receipts(login):
    officer = login("so.tttt")
    ptth = Agency.objects.get(slug="ptth")
    officer.post(
        BASE + "so/huong-dan/",
        {"title": "Hướng dẫn mới", "reference": "1/HD", "body": "Nội dung", "agencies": [ptth.pk]},
    )
    document = GuidanceDocument.objects.get(title="Hướng dẫn mới")
    assert officer.get(BASE + f"huong-dan/{document.pk}/").status_code == 200
    assert not GuidanceReceipt.objects.filter(document=document).exists()
    other = login("tongbientap.baothanhhoa")
    assert denied(other.get(BASE + f"huong-dan/{document.pk}/"))
    reader = login("thuky.ptth")
    assert "Chưa đọc" in reader.get(BASE + "huong-dan/").content.decode()
    assert reader.get(BASE + f"huong-dan/{document.pk}/").status_code == 200
    receipt = GuidanceReceipt.objects.get(document=document)
    assert receipt.agency == ptth and receipt.reader.username == "thuky.ptth"
    count = GuidanceDocument.objects.count()
    officer = login("so.tttt")  # one client: switch back to the officer
    bad = officer.post(BASE + "so/huong-dan/", {"title": "", "body": ""})
    assert any("Văn bản chưa hợp lệ" in str(m) for m in get_messages(bad.wsgi_request))
    assert GuidanceDocument.objects.count() == count


def test_export_button_and_ip_upload(login):
    c = login("tongbientap.ptth")
    response = c.get(BASE + "chi-tieu/xuat/xlsx/?nam=2025&co-quan=ptth")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxml")
    assert denied(c.get(BASE + "dai-ip/"))
    admin = login("quantri")
    before = IpRange.objects.count()
    upload = SimpleUploadedFile("ip.csv", b"10.0.0.0/8,123456789\nnot-a-net,0\n")
    response = admin.post(BASE + "dai-ip/", {"file": upload})
    html = unescape(response.content.decode())
    assert "row 1: commune code 123456789 is not a commune" in html
    assert "row 2: 'not-a-net' is not a valid network" in html
    assert IpRange.objects.count() == before
