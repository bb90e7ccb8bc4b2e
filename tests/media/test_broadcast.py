import datetime

import pytest
from django.utils import timezone

from newsroom.broadcast_selectors import channel_now_next, rundown_timing
from newsroom.broadcast_services import schedule_import_csv
from newsroom.models import Agency, BroadcastSlot, Channel, Rundown

pytestmark = pytest.mark.django_db
TV = {"HTTP_HOST": "truyenhinh.localhost"}


def test_live_page_shows_player_and_now_next(client, demo):
    channel = Channel.objects.get(slug="ttv")
    now, upcoming = channel_now_next(channel)
    assert now is not None and upcoming is not None
    response = client.get("/truc-tiep/ttv/", **TV)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'preload="none"' in html and f'data-hls="{channel.live_url}"' in html
    assert now.display_title in html and upcoming.display_title in html
    assert "vendor/hls.js/hls.min.js" in html  # named for the loader, never a <script src>
    assert '<script src="/static/newsroom/vendor' not in html
    # Channels belong to their outlet's site only.
    assert client.get("/truc-tiep/ttv/", HTTP_HOST="localhost").status_code == 404
    assert client.get("/truc-tiep/", **TV).status_code == 200
    radio = Channel.objects.get(slug="ptth-radio")
    html = client.get("/truc-tiep/ptth-radio/", **TV).content.decode()
    assert (
        f'<audio class="live-player" controls preload="none" data-player data-hls="{radio.live_url}"'
        in html
    )


def test_schedule_today_week_and_catch_up(client, demo):
    response = client.get("/lich-phat-song/", **TV)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thời sự Truyền hình" in html and "Thời sự Phát thanh" in html
    for offset in range(7):
        day = timezone.localdate() + datetime.timedelta(days=offset)
        assert f"?ngay={day:%Y-%m-%d}" in html
        assert client.get(f"/lich-phat-song/?ngay={day:%Y-%m-%d}", **TV).status_code == 200
    assert client.get("/lich-phat-song/?ngay=2001-01-01", **TV).status_code == 404
    assert client.get("/lich-phat-song/?ngay=khong", **TV).status_code == 404
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    slot = BroadcastSlot.objects.filter(
        channel__slug="ttv", catch_up__isnull=False, ends_at__lte=timezone.now()
    ).first()
    assert slot is not None
    # Yesterday is not in the reader's week, but the programme page lists the recording.
    assert yesterday < timezone.localdate()
    page = client.get(f"/chuong-trinh/{slot.programme.slug}/", **TV).content.decode()
    assert f"/xem-lai/{slot.pk}/" in page
    response = client.get(f"/xem-lai/{slot.pk}/", **TV)
    assert response.status_code == 200
    assert slot.catch_up.hls.url in response.content.decode()
    # A future slot has no catch-up page, even with a recording attached.
    future = BroadcastSlot.objects.filter(starts_at__gt=timezone.now()).first()
    future.catch_up = slot.catch_up
    future.save()
    assert client.get(f"/xem-lai/{future.pk}/", **TV).status_code == 404


def _login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


def _csv(*rows):
    head = "kenh,bat_dau,ket_thuc,chuong_trinh,tieu_de,mo_ta\n"
    return (head + "\n".join(rows) + "\n").encode()


def test_csv_import_all_or_nothing_with_row_errors(demo):
    ptth = Agency.objects.filter(slug="ptth")
    day = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    before = BroadcastSlot.objects.count()
    bad = _csv(
        f"ttv,{day} 08:00,{day} 09:00,phim-truyen,,",
        f"ttv,{day} 08:30,{day} 09:30,,Trùng giờ,",  # overlaps the row above
        f"khong-co,{day} 10:00,{day} 11:00,,Kênh lạ,",
        f"ttv,{day} 12:00,{day} 11:00,,Ngược giờ,",
        f"ttv,ngày mai,{day} 13:00,,Sai giờ,",
        f"ttv,{day} 14:00,{day} 15:00,thoi-su-phat-thanh,,",  # a radio programme on TV
    )
    result = schedule_import_csv(data=bad, agencies=ptth)
    assert not result.ok
    text = "\n".join(result.errors)
    assert "Dòng 3: trùng giờ với dòng 2" in text
    assert "Dòng 4" in text and "khong-co" in text
    assert "Dòng 5" in text and "kết thúc phải sau" in text
    assert "Dòng 6" in text and "ngày mai" in text
    assert "Dòng 7" in text and "thoi-su-phat-thanh" in text
    assert BroadcastSlot.objects.count() == before
    good = _csv(
        f"ttv,{day} 08:00,{day} 09:00,phim-truyen,,Phim sáng",
        f"ptth-radio,{day} 08:00,{day} 09:00,,Ca nhạc,Yêu cầu",
    )
    result = schedule_import_csv(data=good, agencies=ptth)
    assert result.ok, result.errors
    assert BroadcastSlot.objects.count() == before + 2
    # Importing it again overlaps what is saved: refused, nothing added.
    again = schedule_import_csv(data=good, agencies=ptth)
    assert not again.ok and "đã có trong lịch" in again.errors[0]
    assert BroadcastSlot.objects.count() == before + 2
    # Another agency cannot write into the station's channels.
    other = schedule_import_csv(data=good, agencies=Agency.objects.filter(slug="vannghe"))
    assert not other.ok and "không thuộc cơ quan" in other.errors[0]
    for junk in (b"\xff\xfe\x00garbage", b"a,b\n1,2\n", b""):
        result = schedule_import_csv(data=junk, agencies=ptth)
        assert not result.ok and result.errors


def test_csv_import_queries_do_not_grow_with_rows(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ptth = Agency.objects.filter(slug="ptth")

    def import_queries(days_ahead: int, rows: int) -> int:
        day = (timezone.localdate() + datetime.timedelta(days=days_ahead)).isoformat()
        data = _csv(*(f"ttv,{day} {h:02d}:00,{day} {h:02d}:30,,Bản tin {h}," for h in range(rows)))
        with CaptureQueriesContext(connection) as queries:
            result = schedule_import_csv(data=data, agencies=ptth)
        assert result.ok and len(result.created) == rows, result.errors
        with CaptureQueriesContext(connection) as refused_queries:
            again = schedule_import_csv(data=data, agencies=ptth)
        assert len(again.errors) == rows  # every row clashes with what is saved
        return len(queries) + len(refused_queries)

    # The saved schedule is read once per import, not once (or twice) per row.
    assert import_queries(50, 12) == import_queries(51, 2)


def test_csv_import_from_admin(client, demo):
    _login(client, "thuky.ptth")
    day = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "lich.csv", _csv(f"ttv,{day} 08:00,{day} 07:00,,Ngược,"), content_type="text/csv"
    )
    response = client.post("/admin/lich-phat-song/nhap-csv/", {"file": upload})
    assert response.status_code == 200
    assert "Dòng 2" in response.content.decode()
    upload = SimpleUploadedFile("lich.csv", _csv(f"ttv,{day} 08:00,{day} 09:00,,Phim,"))
    response = client.post("/admin/lich-phat-song/nhap-csv/", {"file": upload})
    assert "Đã nhập 1 khung giờ" in response.content.decode()
    client.logout()
    _login(client, "phongvien.ptth")
    # Wagtail answers a refused admin page by sending the user back to the dashboard.
    refused = client.get("/admin/lich-phat-song/nhap-csv/")
    assert refused.status_code == 302 and refused.url == "/admin/"


def test_slot_overlap_refused_by_model_validation(demo):
    from django.core.exceptions import ValidationError

    existing = BroadcastSlot.objects.filter(channel__slug="ttv").first()
    clash = BroadcastSlot(
        channel=existing.channel,
        title="Chen ngang",
        starts_at=existing.starts_at + datetime.timedelta(minutes=5),
        ends_at=existing.ends_at + datetime.timedelta(minutes=5),
    )
    with pytest.raises(ValidationError, match="Trùng giờ"):
        clash.full_clean()


def test_rundown_timing_and_printable_view_scoped_to_agency(client, demo):
    rundown = Rundown.objects.get(programme__slug="thoi-su-truyen-hinh")
    timing = rundown_timing(rundown)
    durations = [line.item.planned_seconds for line in timing.lines]
    assert [line.running_total for line in timing.lines] == [
        sum(durations[: i + 1]) for i in range(len(durations))
    ]
    assert timing.total == sum(durations)
    assert timing.difference == timing.total - 1800
    linked = [line.item for line in timing.lines if line.item.story_id]
    assert linked and linked[0].media is not None
    url = f"/admin/kich-ban/{rundown.pk}/in/"
    _login(client, "bientap.ptth")
    html = client.get(url).content.decode()
    assert rundown.title in html and linked[0].story.title in html
    assert "Vượt thời lượng" in html or "Thiếu thời lượng" in html
    client.logout()
    _login(client, "bientap.baothanhhoa")
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_admin_lists_of_broadcasting_are_agency_scoped(client, demo):
    _login(client, "tongbientap.ptth")
    response = client.get("/admin/snippets/newsroom/rundown/")
    assert response.status_code == 200
    assert "In kịch bản" in response.content.decode()
    assert client.get("/admin/snippets/newsroom/broadcastslot/").status_code == 200
    client.logout()
    _login(client, "tongbientap.baothanhhoa")
    response = client.get("/admin/snippets/newsroom/rundown/")
    assert "Thời sự tối" not in response.content.decode()


def test_rundown_and_slot_admin_forms(client, demo):
    rundown = Rundown.objects.get(programme__slug="thoi-su-truyen-hinh")
    _login(client, "thuky.ptth")
    response = client.get(f"/admin/snippets/newsroom/rundown/edit/{rundown.pk}/")
    assert response.status_code == 200
    assert rundown.items.first().title in response.content.decode()
    existing = BroadcastSlot.objects.filter(channel__slug="ttv").first()
    local = timezone.localtime(existing.starts_at)
    response = client.post(
        "/admin/snippets/newsroom/broadcastslot/add/",
        {
            "channel": existing.channel_id,
            "title": "Chen ngang",
            "starts_at": (local + datetime.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M"),
            "ends_at": (local + datetime.timedelta(minutes=20)).strftime("%Y-%m-%d %H:%M"),
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "Trùng giờ" in response.content.decode()
    assert not BroadcastSlot.objects.filter(title="Chen ngang").exists()


def test_staff_cannot_schedule_on_another_agencys_channel(client, demo):
    from newsroom.models import Outlet

    paper = Outlet.objects.get(agency__slug="baothanhhoa")
    foreign = Channel.objects.create(outlet=paper, kind="radio", name="Kênh báo", slug="kenh-bao")
    _login(client, "thuky.ptth")
    day = timezone.localdate() + datetime.timedelta(days=50)
    response = client.post(
        "/admin/snippets/newsroom/broadcastslot/add/",
        {
            "channel": foreign.pk,
            "title": "Lấn sân",
            "starts_at": f"{day:%Y-%m-%d} 08:00",
            "ends_at": f"{day:%Y-%m-%d} 09:00",
        },
    )
    assert response.status_code == 200
    assert "không thuộc cơ quan của bạn" in response.content.decode()
    assert not BroadcastSlot.objects.filter(title="Lấn sân").exists()
