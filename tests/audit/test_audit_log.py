"""The audit log of staff actions (issue 11): each kind of action leaves one entry with
who, what, when, from where; entries cannot be rewritten; only the administrator reads
and exports them; each event is also one JSON log line."""

import csv
import datetime
import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.test.utils.form_data import inline_formset, rich_text

from audit.models import AppendOnlyError, AuditEntry
from distribution.models import Platform
from newsroom.models import Agency, StoryPage
from tests.i18n.test_vietnamese import english_words, visible_text
from tests.newsroom.helpers import add_url, form_errors, story_form, workflow_action_url

pytestmark = pytest.mark.django_db

REPORTER = "phongvien.baothanhhoa"
DESK = "bientap.baothanhhoa"
EIC = "tongbientap.baothanhhoa"
UA = "Mozilla/5.0 (X11; Linux x86_64) Chromium/130 HoiTuTest"
ADDRESS = "203.0.113.45"
REPORT = "/admin/nhat-ky-thao-tac/"


def staff_client(staff, username):
    client = Client(HTTP_USER_AGENT=UA, REMOTE_ADDR=ADDRESS)
    client.force_login(staff(username))
    return client


def only(action, **filters):
    entries = list(AuditEntry.objects.filter(action=action, **filters))
    assert len(entries) == 1, [(e.action, e.actor_name, e.object_repr) for e in entries]
    entry = entries[0]
    assert entry.created_at is not None
    return entry


def assert_from_client(entry, username):
    assert entry.actor_name == username
    assert entry.actor.username == username
    assert entry.ip_address == ADDRESS
    assert entry.user_agent == UA


def test_staff_login_and_failed_login_with_address_and_device(demo, demo_password):
    client = Client(HTTP_USER_AGENT=UA, REMOTE_ADDR=ADDRESS)
    response = client.post("/admin/login/", {"username": DESK, "password": "sai-mat-khau-1"})
    assert response.status_code == 200
    failed = only("auth.login_failed")
    assert failed.actor_name == DESK and failed.actor is None
    assert failed.ip_address == ADDRESS and failed.user_agent == UA
    assert failed.data == {"username": DESK, "account_exists": True}
    assert "sai-mat-khau" not in json.dumps(failed.data)
    assert failed.agency.slug == "baothanhhoa"

    response = client.post("/admin/login/", {"username": DESK, "password": demo_password})
    assert response.status_code == 302
    assert_from_client(only("auth.login"), DESK)


def test_reader_login_is_not_a_staff_action(demo, django_user_model):
    django_user_model.objects.create_user("doc-gia-audit", "dg@example.vn", "mat-khau-doc-gia")
    client = Client()
    response = client.post(
        django_settings.LOGIN_URL, {"username": "doc-gia-audit", "password": "mat-khau-doc-gia"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_workflow_steps_publish_and_takedown(demo, staff, section):
    reporter = staff_client(staff, REPORTER)
    title = "Nhật ký: cầu treo bản Pù Nhi"
    response = reporter.post(
        add_url(section),
        story_form(title=title, authors=[staff(REPORTER)], action="action-submit"),
    )
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=title)
    start = only("wagtail.workflow.start")
    assert_from_client(start, REPORTER)
    assert start.object_id == str(story.pk) and start.object_repr == title
    assert start.agency.slug == "baothanhhoa"

    staff_client(staff, DESK).post(workflow_action_url(story, "approve"), {"comment": "Đạt."})
    assert_from_client(only("wagtail.workflow.approve", actor_name=DESK), DESK)
    story.refresh_from_db()
    staff_client(staff, EIC).post(workflow_action_url(story, "approve"), {"comment": ""})
    story.refresh_from_db()
    assert story.live
    published = only("wagtail.publish")
    assert_from_client(published, EIC)
    assert published.object_id == str(story.pk) and published.agency.slug == "baothanhhoa"

    reason = "Sai số liệu diện tích lúa, chờ xác minh với Sở Nông nghiệp."
    response = staff_client(staff, EIC).post(
        reverse("newsroom_takedown", args=(story.pk,)), {"reason": reason}
    )
    assert response.status_code == 302
    takedown = only("newsroom.takedown")
    assert_from_client(takedown, EIC)
    assert takedown.data["reason"] == reason and takedown.label == "Gỡ bài"
    assert_from_client(only("wagtail.unpublish"), EIC)


def test_correction_added_on_publish(demo, staff, section):
    eic = staff_client(staff, EIC)
    title = "Nhật ký: bài có đính chính"
    corrections = inline_formset(
        [{"corrected_at": "05/03/2026 09:30", "note": rich_text("Đã sửa tên xã Pù Nhi.")}]
    )
    response = eic.post(
        add_url(section),
        story_form(
            title=title, authors=[staff(EIC)], corrections=corrections, action="action-publish"
        ),
    )
    assert response.status_code == 302, form_errors(response)
    entry = only("newsroom.correction")
    assert_from_client(entry, EIC)
    assert entry.object_repr == title and "Pù Nhi" in entry.data["text"]


def test_group_change_of_a_user(demo, staff):
    from django.contrib.auth.models import Group

    admin = staff_client(staff, "quantri")
    desk = staff(DESK)
    added = Group.objects.get(
        agency_role__agency__slug="baothanhhoa", agency_role__role="editor_in_chief"
    )
    groups = [g.pk for g in desk.groups.all()] + [added.pk]
    response = admin.post(
        reverse("wagtailusers_users:edit", args=(desk.pk,)),
        {
            "username": desk.username,
            "email": desk.email,
            "first_name": desk.first_name,
            "last_name": desk.last_name,
            "password1": "",
            "password2": "",
            "is_active": "on",
            "groups": groups,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = only("auth.groups.add")
    assert_from_client(entry, "quantri")
    assert entry.object_repr == str(desk) and entry.data["changed"] == [added.name]
    # Wagtail's own "edit user" entry is mirrored too.
    assert AuditEntry.objects.filter(action="wagtail.edit", object_id=str(desk.pk)).exists()


def test_platform_credentials_change_names_the_secret_not_its_value(demo, staff):
    platform = Platform.objects.get(name="Zalo OA Báo Thanh Hóa (demo)")
    admin = staff_client(staff, "quantri")
    url = f"/admin/snippets/distribution/platform/edit/{platform.pk}/"
    form = {
        "agency": platform.agency_id,
        "name": platform.name,
        "kind": platform.kind,
        "endpoint": platform.endpoint,
        "token_endpoint": "",
    }
    # Saved without a new secret: no credentials entry.
    assert admin.post(url, form).status_code == 302
    assert not AuditEntry.objects.filter(action="distribution.credentials").exists()
    response = admin.post(url, form | {"cred_access_token": "new-access-token-123"})
    assert response.status_code == 302
    entry = only("distribution.credentials")
    assert_from_client(entry, "quantri")
    assert entry.data == {"changed": ["access_token"]}
    assert entry.agency_id == platform.agency_id
    assert "new-access-token-123" not in json.dumps(entry.data)


def test_promo_code_created_by_the_administrator(demo, staff):
    from wagtail.models import Site

    admin = staff_client(staff, "quantri")
    response = admin.post(
        "/admin/snippets/paywall/promocode/add/",
        {
            "code": "TET2027",
            "site": Site.objects.get(is_default_site=True).pk,
            "kind": "percent",
            "value": 20,
            "valid_from": "01/01/2027 00:00",
            "valid_until": "15/02/2027 00:00",
            "max_uses": 100,
            "used_count": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = only("wagtail.create", object_type="paywall.promocode")
    assert_from_client(entry, "quantri")
    assert entry.object_repr.startswith("TET2027")


def test_indicator_export_is_recorded(demo, staff):
    eic = staff_client(staff, EIC)
    year = timezone.localdate().year
    response = eic.get(f"/admin/thong-ke/chi-tieu/xuat/xlsx/?nam={year}&co-quan=baothanhhoa")
    assert response.status_code == 200
    entry = only("hoitu.export")
    assert_from_client(entry, EIC)
    assert entry.object_repr == f"chi-tieu-baothanhhoa-{year}.xlsx"
    assert f"nam={year}" in entry.data["query"]


def test_entries_cannot_be_updated_or_deleted_through_the_orm(demo):
    entry = AuditEntry.objects.create(action="test.probe", actor_name="x")
    entry.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.probe"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_entries_cannot_be_updated_or_deleted_with_raw_sql(demo):
    entry = AuditEntry.objects.create(action="test.probe", actor_name="x")
    for sql in (
        "UPDATE audit_auditentry SET action = 'test.rewritten' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.probe"


def test_purge_removes_only_entries_past_the_retention(demo, settings):
    now = timezone.now()
    old = AuditEntry.objects.create(action="test.old", created_at=now - datetime.timedelta(500))
    kept = AuditEntry.objects.create(action="test.kept", created_at=now - datetime.timedelta(380))
    fresh = AuditEntry.objects.create(action="test.fresh")
    settings.AUDIT_RETENTION_DAYS = 400
    out = io.StringIO()
    call_command("audit_purge", stdout=out)
    assert "Removed 1 audit entries" in out.getvalue()
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and {kept.pk, fresh.pk} <= remaining
    with pytest.raises(CommandError, match="at least 365 days"):
        call_command("audit_purge", days=30)
    assert kept.pk in set(AuditEntry.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("username", [EIC, "so.tttt", DESK])
def test_other_staff_cannot_see_the_report(demo, staff, username):
    client = staff_client(staff, username)
    assert client.get(REPORT).status_code == 403
    assert client.get(REPORT + "?xuat=csv").status_code == 403
    menu = client.get("/admin/").content.decode()
    assert REPORT not in menu


def seed():
    baothanhhoa = Agency.objects.get(slug="baothanhhoa")
    ptth = Agency.objects.get(slug="ptth")
    day = timezone.make_aware(datetime.datetime(2026, 3, 5, 9, 0))
    AuditEntry.objects.create(
        action="wagtail.publish",
        label="Đăng",
        actor_name=EIC,
        object_type="storypage",
        object_id="901",
        object_repr="Lũ quét ở Mường Lát",
        agency=baothanhhoa,
        ip_address=ADDRESS,
        created_at=day,
    )
    AuditEntry.objects.create(
        action="newsroom.takedown",
        label="Gỡ bài",
        actor_name="tongbientap.ptth",
        object_repr="Bản tin thời sự 19h",
        agency=ptth,
        created_at=day + datetime.timedelta(days=10),
    )


def test_administrator_searches_by_person_action_dates_agency_and_object(demo, staff):
    seed()
    admin = staff_client(staff, "quantri")
    assert REPORT in admin.get("/admin/").content.decode()
    html = admin.get(REPORT).content.decode()
    assert english_words(visible_text(html)) == []

    def found(**params):
        response = admin.get(REPORT, params)
        assert response.status_code == 200
        return [e.object_repr for e in response.context["page"]]

    assert found(nguoi="tongbientap.ptth") == ["Bản tin thời sự 19h"]
    assert found(thao_tac="Gỡ bài") == ["Bản tin thời sự 19h"]
    assert found(tu_ngay="01/03/2026", den_ngay="06/03/2026") == ["Lũ quét ở Mường Lát"]
    ptth = Agency.objects.get(slug="ptth")
    assert found(co_quan=ptth.pk) == ["Bản tin thời sự 19h"]
    assert found(doi_tuong="Mường Lát") == ["Lũ quét ở Mường Lát"]
    assert found(doi_tuong="901") == ["Lũ quét ở Mường Lát"]
    # Bad filters: a Vietnamese message, no rows, no error page.
    response = admin.get(REPORT, {"tu_ngay": "10/03/2026", "den_ngay": "01/03/2026"})
    assert response.status_code == 200
    assert "«Từ ngày» phải trước hoặc bằng «Đến ngày»." in response.content.decode()
    assert not found(tu_ngay="31/02/2026") and not found(co_quan="abc")
    assert found(tu_ngay="01/01/0001", nguoi=EIC) == ["Lũ quét ở Mường Lát"]


def test_administrator_exports_csv_and_xlsx(demo, staff):
    seed()
    admin = staff_client(staff, "quantri")
    response = admin.get(REPORT, {"nguoi": "tongbientap", "xuat": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Lúc", "Người thực hiện", "Thao tác"]
    assert {(r[1], r[2], r[4]) for r in rows[1:]} == {
        (EIC, "Đăng", "Lũ quét ở Mường Lát"),
        ("tongbientap.ptth", "Gỡ bài", "Bản tin thời sự 19h"),
    }
    assert rows[1][0] == "15/03/2026 09:00:00" and rows[2][8] == ADDRESS

    response = admin.get(REPORT, {"co_quan": Agency.objects.get(slug="ptth").pk, "xuat": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][1] == "Người thực hiện"
    assert [(r[1], r[4], r[7]) for r in values[1:]] == [
        ("tongbientap.ptth", "Bản tin thời sự 19h", "Đài Phát thanh và Truyền hình Thanh Hóa")
    ]
    # The export itself is an audited action.
    assert AuditEntry.objects.filter(action="hoitu.export", actor_name="quantri").count() == 2


def test_each_event_is_one_json_log_line(demo, caplog):
    handler = logging.getLogger("hoitu.audit").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client = Client(HTTP_USER_AGENT=UA, REMOTE_ADDR=ADDRESS)
        client.post("/admin/login/", {"username": DESK, "password": "sai-mat-khau-2"})
    finally:
        handler.setStream(previous)
    records = [r for r in caplog.records if r.name == "hoitu.audit"]
    assert [r.audit["event"] for r in records] == ["auth.login_failed"]
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["event"] == "auth.login_failed" and event["logger"] == "hoitu.audit"
    assert event["actor"] == DESK and event["ip"] == ADDRESS and event["user_agent"] == UA
    assert event["entry"] == AuditEntry.objects.get(action="auth.login_failed").pk


def test_scheduled_publication_is_recorded_with_its_go_live_time(demo, staff, section):
    """Wagtail's "scheduled" entry carries datetimes in its data: stored as ISO text."""
    go_live = timezone.localtime() + datetime.timedelta(hours=1)
    title = "Nhật ký: bài hẹn giờ"
    response = staff_client(staff, REPORTER).post(
        add_url(section),
        story_form(
            title=title,
            authors=[staff(REPORTER)],
            go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
            action="action-submit",
        ),
    )
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=title)
    staff_client(staff, DESK).post(workflow_action_url(story, "approve"), {"comment": ""})
    story.refresh_from_db()
    response = staff_client(staff, EIC).post(workflow_action_url(story, "approve"), {"comment": ""})
    assert response.status_code == 302
    entry = only("wagtail.publish.schedule")
    assert_from_client(entry, EIC)
    stored = datetime.datetime.fromisoformat(entry.data["revision"]["go_live_at"])
    assert stored == go_live.replace(second=0, microsecond=0)


def test_page_permissions_of_a_group_changed(demo, staff):
    import lxml.html
    from django.contrib.auth.models import Group

    group = Group.objects.get(
        agency_role__agency__slug="baothanhhoa", agency_role__role="editor_in_chief"
    )
    admin = staff_client(staff, "quantri")
    url = reverse("wagtailusers_groups:edit", args=(group.pk,))
    document = lxml.html.fromstring(admin.get(url).content.decode())
    form = document.xpath("//form[.//input[@name='csrfmiddlewaretoken']][.//*[@name='name']]")[0]
    data = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    key = next(
        k
        for k, v in data.items()
        if k.startswith("page_permissions-") and k.endswith("-permissions") and "publish_page" in v
    )
    data[key].remove("publish_page")
    added = next(c for c in ("bulk_delete_page", "lock_page", "unlock_page") if c not in data[key])
    data[key].append(added)
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    entry = only("auth.object_permissions")
    assert_from_client(entry, "quantri")
    assert entry.object_repr == group.name
    assert [p for _, p in entry.data["removed"]] == ["wagtailcore.publish_page"]
    assert [p for _, p in entry.data["added"]] == [f"wagtailcore.{added}"]
    assert entry.data["added"][0][0].startswith("trang «")
    assert AuditEntry.objects.filter(action="wagtail.edit", object_id=str(group.pk)).count() == 1
