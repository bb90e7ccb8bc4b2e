"""Nhuận bút: a month graded (managing editor), approved with a change (editor-in-chief),
locked, adjusted after the lock, exported (XLSX read back, PDF text read back), every bad
input refused in Vietnamese with nothing saved, who sees what, and the production
counters counting the same works the royalties grade."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.utils import timezone

from analytics.selectors import production_counts
from newsroom.models import Agency, StoryPage
from royalties import services
from royalties.models import (
    Adjustment,
    ContributorRole,
    Extra,
    Genre,
    Grade,
    Medium,
    RoyaltyMonth,
    Share,
)
from royalties.selectors import graded_output, statement
from royalties.services import RoyaltyError

pytestmark = pytest.mark.django_db
BASE = "/admin/nhuan-but/"
MONTH = datetime.date(2025, 11, 1)  # three works of Báo Thanh Hóa in the demo, ungraded
UNIT = 234_000  # 10% of 2.340.000 đ


def vn(amount: int) -> str:
    """The test's own spelling of an amount (1.234.567 đ), independent of the project's."""
    return f"{amount:,}".replace(",", ".") + "\xa0đ"


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def bth(demo):
    return Agency.objects.get(slug="baothanhhoa")


@pytest.fixture
def login(client, demo):
    def as_(username):
        client.force_login(user(username))
        return client

    return as_


def genre(agency, name, medium=Medium.PRESS):
    return Genre.objects.get(agency=agency, medium=medium, name=name)


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def propose_post(client, agency, work, *, role="writer", genre_obj, coefficient, shares, extras=()):
    data = {
        "co-quan": agency.slug,
        "thang": f"{MONTH:%Y-%m}",
        "tac_pham": work,
        "phan_viec": role,
        "the_loai": genre_obj.pk,
        "he_so": coefficient,
        "tang_them": [e.pk for e in extras],
    }
    for i, (who, percent) in enumerate(shares, start=1):
        key = f"nguoi_{i}" if isinstance(who, int) else f"ctv_{i}"
        data[key] = who
        data[f"ti_le_{i}"] = percent
    return client.post(BASE + "thang/cham/", data)


def test_month_graded_approved_locked_adjusted_and_exported(login, bth):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    works = [w["pk"] for w in services.month_works(bth, MONTH)]
    assert len(works) == 3
    reporter = user("phongvien.baothanhhoa")
    thuky = login("thuky.baothanhhoa")
    mountain = Extra.objects.get(agency=bth, name__startswith="Địa bàn miền núi")
    for work, (g, coefficient, shares, extras) in zip(
        works,
        [
            ("Phóng sự, ký (một kỳ)", "12", [(reporter.pk, "70"), ("Hoàng Lan", "30")], []),
            ("Tin, trả lời bạn đọc", "5", [(reporter.pk, "100")], []),
            ("Phóng sự, ký (một kỳ)", "10", [(reporter.pk, "100")], [mountain]),
        ],
        strict=True,
    ):
        r = propose_post(
            thuky,
            bth,
            work,
            genre_obj=genre(bth, g),
            coefficient=coefficient,
            shares=shares,
            extras=extras,
        )
        assert r.status_code == 302
        assert any(m.startswith("Đã đề xuất") for m in message_texts(r)), message_texts(r)
    grades = {g.story_id: g for g in Grade.objects.filter(story_id__in=works)}
    assert [grades[w].amount for w in works] == [12 * UNIT, 5 * UNIT, 10 * UNIT * 13 // 10]
    assert sorted(s.amount for s in grades[works[0]].shares.all()) == [842_400, 1_965_600]

    # The editor-in-chief approves two as proposed and one with a higher coefficient.
    tbt = login("tongbientap.baothanhhoa")
    page = tbt.get(BASE + f"thang/?co-quan=baothanhhoa&thang={MONTH:%Y-%m}")
    assert page.status_code == 200 and page.context["pending"] == 3
    for work in works:
        data = {"he_so": "6", "ly_do": "Tin độc quyền, đưa sớm nhất"} if work == works[1] else {}
        tbt.post(BASE + f"dong/{grades[work].pk}/duyet/", data)
    changed = Grade.objects.get(pk=grades[works[1]].pk)
    assert (changed.coefficient, changed.proposed_coefficient) == (6, 5)
    assert changed.amount == 6 * UNIT and changed.change_reason.startswith("Tin độc quyền")
    r = tbt.post(BASE + f"thang/{changed.month_id}/khoa/")
    assert "Đã khóa tháng 11/2025." in message_texts(r)

    # Statement: the reporter 1.965.600 + 1.404.000 + 3.042.000, 10% withheld; the
    # collaborator 842.400, under the 2.000.000 đ threshold, nothing withheld.
    st = statement(bth, MONTH)
    totals = {p.person: (p.gross, p.tax, p.net) for p in st.people}
    assert totals == {
        "Trần Minh Anh": (6_411_600, 641_160, 5_770_440),
        "Hoàng Lan (cộng tác viên)": (842_400, 0, 842_400),
    }
    assert st.gross == 7_254_000

    # After the lock: a dated adjustment (6 → 8), paid in this month's statement.
    r = tbt.post(
        BASE + f"dong/{changed.pk}/dieu-chinh/",
        {"the_loai": changed.genre_id, "he_so": "8", "ly_do": "Hội đồng nhuận bút xét lại"},
    )
    adj = Adjustment.objects.get(grade=changed)
    assert (adj.amount_before, adj.amount_after, adj.made_on) == (
        6 * UNIT,
        8 * UNIT,
        timezone.localdate(),
    )
    assert statement(bth, MONTH).gross == 7_254_000  # the locked month does not move
    now = statement(bth, timezone.localdate().replace(day=1), person_key=f"u{reporter.pk}")
    assert [(line.kind, line.amount) for line in now.lines] == [
        (f"Điều chỉnh ngày {timezone.localdate():%d/%m/%Y}", 2 * UNIT)
    ]

    # Accounting downloads the month: XLSX read back, every line and the totals add up.
    accounting = login("ketoan.baothanhhoa")
    r = accounting.get(BASE + f"xuat/xlsx/?co-quan=baothanhhoa&thang={MONTH:%Y-%m}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(r.content))
    sheet = book.worksheets[0]
    rows = [row for row in sheet.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r[0] == "STT"))
    lines = [r for r in rows[header + 1 :] if isinstance(r[0], int)]
    assert len(lines) == 4
    assert sum(r[9] for r in lines) == 7_254_000 == rows[-1][9]
    assert rows[-1][1] == "Tổng cộng"
    assert {r[4] for r in lines} == {"Phóng sự, ký (một kỳ)", "Tin, trả lời bạn đọc"}
    summary = list(book["Tổng hợp"].iter_rows(values_only=True))
    assert summary[-1] == ("Tổng cộng", 7_254_000, 641_160, 6_612_840)
    r = accounting.get(BASE + f"xuat/pdf/?co-quan=baothanhhoa&thang={MONTH:%Y-%m}")
    assert r.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    text = " ".join(text.replace("\xa0", " ").split())
    for expected in (
        "Bảng kê nhuận bút tháng 11/2025",
        "Trần Minh Anh",
        "7.254.000 đ",
        "641.160 đ",
    ):
        assert expected in text, expected
    # One person's part.
    r = accounting.get(
        BASE + f"xuat/xlsx/?co-quan=baothanhhoa&thang={MONTH:%Y-%m}&nguoi=x:Hoàng Lan"
    )
    one = list(load_workbook(io.BytesIO(r.content))["Tổng hợp"].iter_rows(values_only=True))
    assert one[1:] == [
        ("Hoàng Lan (cộng tác viên)", 842_400, 0, 842_400),
        ("Tổng cộng", 842_400, 0, 842_400),
    ]

    # The reporter's own statement: their lines only, in Vietnamese figures.
    mine = login("phongvien.baothanhhoa").get(BASE + f"cua-toi/?thang={MONTH:%Y-%m}")
    html = mine.content.decode()
    assert vn(6_411_600) in html and vn(5_770_440) in html
    assert "Hoàng Lan" not in html


def _counts(bth):
    return Grade.objects.count(), Share.objects.count(), Adjustment.objects.count()


def test_bad_input_refused_in_vietnamese_and_nothing_saved(login, bth):
    works = [w["pk"] for w in services.month_works(bth, MONTH)]
    thuky = user("thuky.baothanhhoa")
    reporter = user("phongvien.baothanhhoa")
    phong_su = genre(bth, "Phóng sự, ký (một kỳ)")
    before = _counts(bth)

    def refused(match, **kwargs):
        args = {
            "user": thuky,
            "agency": bth,
            "story_id": works[0],
            "role": ContributorRole.WRITER,
            "genre": phong_su,
            "coefficient": "12",
            "shares": [(reporter, "", "100")],
        } | kwargs
        with pytest.raises(RoyaltyError, match=match):
            services.propose(**args)
        assert _counts(bth) == before

    refused("nằm ngoài khung", coefficient="31")
    refused("nằm ngoài khung", coefficient="0")
    refused("phải là một số", coefficient="mười")
    refused("vượt quá 100%", shares=[(reporter, "", "80"), (None, "Hoàng Lan", "30")])
    refused("chưa đủ 100%", shares=[(reporter, "", "60")])
    refused("chỉ được ghi một lần", shares=[(reporter, "", "50"), (reporter, "", "50")])
    refused("không phải phóng viên", shares=[(user("phongvien.ptth"), "", "100")])
    ptth = Agency.objects.get(slug="ptth")
    refused("không thuộc quy chế", genre=Genre.objects.filter(agency=ptth).first())
    refused(
        "trong khoảng −100% đến \\+100%",
        extras=list(Extra.objects.filter(agency=bth, percent__gt=0)),
    )
    other = services.month_works(ptth, MONTH)[0]["pk"]
    refused("không do cơ quan của bạn", story_id=other)
    refused("Chỉ thư ký tòa soạn", user=reporter)
    locked = services.month_works(bth, datetime.date(2026, 8, 1))[0]["pk"]
    refused("đã khóa", story_id=locked)
    draft = StoryPage.objects.get(pk=works[1])
    draft.unpublish()
    refused("đã đăng, phát", story_id=draft.pk)

    # Through the screen: the message is shown, nothing is saved.
    c = login("thuky.baothanhhoa")
    r = propose_post(
        c, bth, works[0], genre_obj=phong_su, coefficient="40", shares=[(reporter.pk, "100")]
    )
    assert r.status_code == 302
    assert message_texts(r)[-1] == (
        "Hệ số 40 nằm ngoài khung của thể loại “Phóng sự, ký (một kỳ)” (1–30)."
    )
    r = propose_post(
        c,
        bth,
        works[0],
        genre_obj=phong_su,
        coefficient="12",
        shares=[(reporter.pk, "90"), ("Hoàng Lan", "20")],
    )
    assert message_texts(r)[-1] == "Tổng tỉ lệ chia là 110%, vượt quá 100%."
    assert _counts(bth) == before

    # The editor-in-chief: a change without a reason, a lock with lines pending.
    grade = services.propose(
        user=thuky,
        agency=bth,
        story_id=works[0],
        role=ContributorRole.WRITER,
        genre=phong_su,
        coefficient="12",
        shares=[(reporter, "", "100")],
    )
    tbt = user("tongbientap.baothanhhoa")
    with pytest.raises(RoyaltyError, match="hãy ghi lý do"):
        services.approve(user=tbt, grade_id=grade.pk, coefficient="20")
    with pytest.raises(RoyaltyError, match="Chỉ tổng biên tập"):
        services.approve(user=thuky, grade_id=grade.pk)
    with pytest.raises(RoyaltyError, match="Còn 1 dòng chờ duyệt"):
        services.lock(user=tbt, month_id=grade.month_id)
    with pytest.raises(RoyaltyError, match="Tháng chưa khóa"):
        services.adjust(
            user=tbt, grade_id=grade.pk, genre=phong_su, coefficient="13", reason="xét lại"
        )
    grade.refresh_from_db()
    assert (grade.status, grade.coefficient, grade.amount) == ("proposed", 12, 12 * UNIT)
    assert not RoyaltyMonth.objects.get(pk=grade.month_id).locked

    # A locked month (the demo's August 2026): no change, no new line, no bad adjustment.
    aug = Grade.objects.filter(month__agency=bth, month__month=datetime.date(2026, 8, 1)).first()
    with pytest.raises(RoyaltyError, match="đã khóa"):
        services.approve(user=tbt, grade_id=aug.pk, coefficient="3", reason="sửa sau khóa")
    with pytest.raises(RoyaltyError, match="đã khóa"):
        services.withdraw(user=tbt, grade_id=aug.pk)
    with pytest.raises(RoyaltyError, match="ghi lý do"):
        services.adjust(user=tbt, grade_id=aug.pk, genre=aug.genre, coefficient="3", reason="")
    with pytest.raises(RoyaltyError, match="nằm ngoài khung"):
        services.adjust(
            user=tbt, grade_id=aug.pk, genre=aug.genre, coefficient="99", reason="xét lại"
        )
    assert not Adjustment.objects.exists() and Grade.objects.filter(pk=aug.pk).exists()


def test_who_sees_what(login, bth):
    month = "2026-08"  # the demo's locked month
    aug = Grade.objects.filter(month__agency=bth, month__month=datetime.date(2026, 8, 1)).first()
    # A reporter: no grading sheet, no accounting download, only their own statement.
    c = login("phongvien.baothanhhoa")
    for url in (
        BASE + f"thang/?co-quan=baothanhhoa&thang={month}",
        BASE + f"xuat/xlsx/?co-quan=baothanhhoa&thang={month}",
    ):
        r = c.get(url)
        assert r.status_code == 403 or (r.status_code == 302 and r.url == "/admin/"), url
    html = c.get(BASE + f"cua-toi/?thang={month}").content.decode()
    assert "Hoàng Lan" not in html and "Tổng nhuận bút" in html
    assert c.get(BASE + f"cua-toi/xuat/pdf/?thang={month}&co-quan=baothanhhoa").status_code == 200
    other = login("phongvien.ptth")
    theirs = other.get(BASE + f"cua-toi/?thang={month}").context["statements"]
    assert [s.agency.slug for s in theirs] == ["ptth"]
    r = other.get(BASE + f"cua-toi/xuat/pdf/?thang={month}&co-quan=baothanhhoa")
    assert r.status_code in (302, 403)
    # Accounting of one agency: its month, not another agency's.
    acc = login("ketoan.baothanhhoa")
    assert acc.get(BASE + f"thang/?co-quan=baothanhhoa&thang={month}").status_code == 200
    r = acc.get(BASE + f"xuat/xlsx/?co-quan=ptth&thang={month}")
    assert r.status_code in (302, 403)
    r = acc.get(BASE + "thang/?co-quan=baothanhhoa&thang=2026-13")
    assert r.status_code == 200 and r.context["first_day"] == timezone.localdate().replace(day=1)
    assert "Tháng không hợp lệ (ghi dạng 2026-11): đang xem tháng này." in message_texts(r)
    assert acc.get(BASE + f"xuat/docx/?co-quan=baothanhhoa&thang={month}").status_code == 404
    # Another agency's editor-in-chief can neither approve nor adjust this agency's line.
    ptth_tbt = login("tongbientap.ptth")
    r = ptth_tbt.post(BASE + f"dong/{aug.pk}/dieu-chinh/", {"he_so": "3", "ly_do": "thử sửa"})
    assert r.status_code in (302, 403) and not Adjustment.objects.exists()
    r = ptth_tbt.get(BASE + f"thang/?co-quan=baothanhhoa&thang={month}")
    assert r.status_code in (302, 403)


def test_reporter_statement_holds_only_their_lines(login, bth):
    reporter = user("phongvien.baothanhhoa")
    page = login("phongvien.baothanhhoa").get(BASE + "cua-toi/?thang=2026-08")
    statements = page.context["statements"]
    assert [s.agency.slug for s in statements] == ["baothanhhoa"]
    assert {p.user_id for s in statements for p in s.people} == {reporter.pk}
    expected = statement(bth, datetime.date(2026, 8, 1), person_key=f"u{reporter.pk}")
    assert statements[0].people[0].gross == expected.gross > 0


def test_my_statement_opens_on_my_latest_approved_month_chosen_in_vietnamese(login, bth):
    """Without ?thang the reporter lands on their latest approved month (the demo's August,
    this month is only proposed), and months are chosen from a Vietnamese list, not the
    browser's <input type="month"> ("November 2026" in an English browser)."""
    c = login("phongvien.baothanhhoa")
    page = c.get(BASE + "cua-toi/")
    html = page.content.decode()
    assert page.context["first_day"] == datetime.date(2026, 8, 1)
    assert '<option value="2026-08" selected>Tháng 08/2026</option>' in html
    assert 'type="month"' not in html
    c = login("tongbientap.baothanhhoa")
    html = c.get(BASE + "thang/?co-quan=baothanhhoa&thang=2019-03").content.decode()
    assert '<option value="2019-03" selected>Tháng 03/2019</option>' in html
    assert 'type="month"' not in html


def test_counters_count_the_works_royalties_grade(bth):
    """One list: the grading sheet lists exactly the works the production counters count
    for the month, and once graded from the bylines, the works per writer agree too."""
    first = datetime.date(2024, 6, 1)
    works = services.month_works(bth, first)
    counted = production_counts(year=2024, agency=bth, by="format", period="month")
    assert len(works) == sum(c["2024-06"] for c in counted.values()) == 3
    thuky = user("thuky.baothanhhoa")
    tin = genre(bth, "Tin, trả lời bạn đọc")
    for w in works:
        authors = get_user_model().objects.filter(pk__in=w["authors"])
        each = Decimal(100) / len(authors)
        services.propose(
            user=thuky,
            agency=bth,
            story_id=w["pk"],
            role=ContributorRole.WRITER,
            genre=tin,
            coefficient="3",
            shares=[(a, "", each) for a in authors],
        )
    by_author = production_counts(year=2024, agency=bth, by="author", period="month")
    assert graded_output(bth, first) == {
        a: c["2024-06"] for a, c in by_author.items() if c["2024-06"]
    }


def test_frame_edits_refused_out_of_range_and_across_agencies(login, bth):
    """The frame's snippets: the editor-in-chief edits the agency's own, within bounds."""
    extra = Extra.objects.filter(agency=bth).first()
    url = f"/admin/snippets/royalties/extra/edit/{extra.pk}/"
    c = login("tongbientap.baothanhhoa")
    r = c.post(url, {"agency": bth.pk, "name": extra.name, "percent": "150", "active": "on"})
    assert r.status_code == 200
    assert "100" in str(r.context["form"].errors["percent"])
    g = Genre.objects.filter(agency=bth).first()
    r = c.post(
        f"/admin/snippets/royalties/genre/edit/{g.pk}/",
        {
            "agency": bth.pk,
            "medium": g.medium,
            "name": g.name,
            "min_coefficient": "5",
            "max_coefficient": "2",
            "sort_order": "0",
            "active": "on",
        },
    )
    assert r.status_code == 200
    assert "Hệ số tối đa phải từ hệ số tối thiểu trở lên." in r.content.decode()
    other = login("tongbientap.ptth")
    assert other.get(url).status_code in (302, 403)
    extra.refresh_from_db()
    g.refresh_from_db()
    assert extra.percent != 150 and g.max_coefficient >= g.min_coefficient
