"""Readers' privacy: sign-up and password reset never tell who has an account (the owner
gets a mail instead), and a reader downloads their data and deletes their account
(Decree 13/2023/NĐ-CP) while payments stay in the ledger without the person."""

import json
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from paywall import selectors, services
from paywall.models import (
    GiftLink,
    Institution,
    InstitutionSeat,
    LedgerEntry,
    MeterEntry,
    Order,
    OrderStatus,
    Plan,
    ReaderProfile,
    Subscription,
    SubscriptionStatus,
)
from paywall.personal_data import user_relations

from .conftest import BROWSER_UA

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-rat-dai-2026"
User = get_user_model()


PER_PROCESS_OR_FRAGMENT = {
    "newsroom/includes/legal_footer.html",
    "offline/includes/head.html",
    "push/button.html",
}


def visible(response):
    """The page as a reader gets it, without what differs on every request anyway."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def answer(response):
    return (
        response.status_code,
        # The page's templates (not the mail's, which is not part of the answer; nor the
        # footer's, rendered only until it is a cached fragment: newsroom/fragments.py;
        # nor the head's and the push button's, rendered once per process:
        # {% process_constant %} in base.html).
        [
            t.name
            for t in response.templates
            if not t.name.startswith("paywall/email/") and t.name not in PER_PROCESS_OR_FRAGMENT
        ],
        visible(response),
        sorted(response.cookies.keys()),
        response.get("Location"),
    )


def signup(client, email, password=PASSWORD, **extra):
    data = {"email": email, "password1": password, "password2": password, **extra}
    return client.post("/tai-khoan/dang-ky/", data)


def a_commune_code():
    from vietnam_provinces import Ward

    return next(int(w.code) for w in Ward.iter_all() if int(w.province_code) == 38)


# --- Sign-up and reset tell nobody who is registered ------------------------------------


def test_signup_answers_the_same_for_an_existing_address_and_mails_its_owner(
    demo, django_capture_on_commit_callbacks
):
    first = signup(Client(HTTP_USER_AGENT=BROWSER_UA), "moi.den@example.vn")
    (user,) = User.objects.filter(email__iexact="moi.den@example.vn")
    ReaderProfile.objects.filter(user=user).update(commune_code=a_commune_code())
    before = User.objects.values().get(pk=user.pk)
    profile_before = ReaderProfile.objects.values().get(user=user)
    mail.outbox.clear()

    # Someone else tries the same address (other case, other password).
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the mail is queued after commit (outbox)
        again = signup(Client(HTTP_USER_AGENT=BROWSER_UA), "moi.den@example.vn", "khac-han-2026-x")
    assert answer(again) == answer(first)
    assert again.status_code == 200 and "Kiểm tra hộp thư của bạn" in again.content.decode()
    assert "đã được dùng" not in again.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        upper = signup(Client(HTTP_USER_AGENT=BROWSER_UA), "MOI.DEN@EXAMPLE.VN")
    assert upper.status_code == 200 and "_auth_user_id" not in upper.wsgi_request.session

    # The owner is told, with a way in, once however often it is tried (no mail flood);
    # nobody else is mailed.
    assert [m.to for m in mail.outbox] == [["moi.den@example.vn"]]
    message = mail.outbox[0]
    assert message.subject == "Có người vừa đăng ký bằng email của bạn"
    assert "http://testserver/tai-khoan/dang-nhap/" in message.body
    assert "http://testserver/tai-khoan/quen-mat-khau/" in message.body
    assert "xac-nhan-email" not in message.body
    # No second account; the first is exactly as it was.
    assert User.objects.filter(email__iexact="moi.den@example.vn").count() == 1
    assert User.objects.filter(username__iexact="moi.den@example.vn").count() == 1
    assert User.objects.values().get(pk=user.pk) == before
    assert ReaderProfile.objects.values().get(user=user) == profile_before
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_signup_with_an_existing_address_takes_as_long_as_a_new_one(demo, settings):
    """With the production hasher, the existing-address branch hashes the password too:
    its answer is not measurably quicker than creating an account."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    times = {}
    for label, email in (("new", "thoi.gian@example.vn"), ("existing", "thoi.gian@example.vn")):
        client = Client(HTTP_USER_AGENT=BROWSER_UA)
        started = time.perf_counter()
        assert signup(client, email).status_code == 200
        times[label] = time.perf_counter() - started
    assert User.objects.filter(email="thoi.gian@example.vn").count() == 1
    assert times["existing"] > 0.6 * times["new"], times


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(
    demo, make_reader, django_capture_on_commit_callbacks
):
    make_reader("co.that@example.vn")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the mail is queued after commit (outbox)
        known = Client().post("/tai-khoan/quen-mat-khau/", {"email": "co.that@example.vn"})
        unknown = Client().post("/tai-khoan/quen-mat-khau/", {"email": "khong.co@example.vn"})
    assert answer(known) == answer(unknown)
    assert known.status_code == 302
    done = Client().get(known["Location"])
    assert "Nếu email có trong hệ thống" in done.content.decode()
    assert [m.to for m in mail.outbox] == [["co.that@example.vn"]]
    assert "/tai-khoan/dat-lai-mat-khau/" in mail.outbox[0].body


# --- Personal data: download ------------------------------------------------------------


def paid_reader(demo, email):
    """A reader with something in every paywall table that names them: a profile, a paid
    order (booked by the real payment path), a meter entry, a gift link, an institution
    seat."""
    user = services.reader_create(email=email, password=PASSWORD, commune_code=a_commune_code())
    services.reader_verify_email(user=user)
    plan = Plan.objects.filter(is_active=True).order_by("pk").first()
    order = services.order_create(user=user, plan=plan, gateway="vnpay")
    assert (
        services.order_confirm_payment(
            gateway="vnpay", reference=order.reference, amount=order.amount, gateway_ref="VNP1"
        )
        == services.Confirm.OK
    )
    site = plan.site
    MeterEntry.objects.create(user=user, site=site, month="2026-11", story_id=4242)
    GiftLink.objects.create(
        giver=user,
        site=site,
        story_id=4242,
        expires_at=timezone.now() + timezone.timedelta(days=7),
        max_uses=3,
    )
    institution = Institution.objects.create(
        name="THPT Lam Sơn", email_domain="example.vn", valid_until=timezone.localdate()
    )
    InstitutionSeat.objects.create(institution=institution, user=user)
    order.refresh_from_db()
    return user, order


def test_reader_downloads_everything_held_about_them_as_json(demo):
    user, order = paid_reader(demo, "du.lieu@example.vn")
    other, other_order = paid_reader(demo, "nguoi.khac@example.vn")
    client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="203.0.113.9")
    assert client.get("/tai-khoan/du-lieu-cua-toi/")["Location"].startswith("/tai-khoan/dang-nhap/")
    client.post("/tai-khoan/dang-nhap/", {"username": user.email, "password": PASSWORD})

    page = client.get("/tai-khoan/").content.decode()
    assert (
        'href="/tai-khoan/du-lieu-cua-toi/"' in page and 'href="/tai-khoan/xoa-tai-khoan/"' in page
    )
    response = client.get("/tai-khoan/du-lieu-cua-toi/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-ca-nhan-')
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    body = response.content.decode()
    data = json.loads(body)

    assert data["tài khoản"]["địa chỉ email"] == "du.lieu@example.vn"
    assert data["xã/phường cư trú"]  # the commune's name, not only its code
    tables = {s["bảng"]: s["bản ghi"] for s in data["dữ liệu"]}
    for table in (
        "paywall.ReaderProfile",
        "paywall.Subscription",
        "paywall.Order",
        "paywall.MeterEntry",
        "paywall.GiftLink",
        "paywall.InstitutionSeat",
        "paywall.LedgerEntry",
        "axes.AccessLog",
    ):
        assert tables.get(table), table
    (row,) = tables["paywall.Order"]
    assert row["mã đơn"] == order.reference and row["số tiền (đồng)"] == order.amount
    assert row["trạng thái"] == "Đã thanh toán"
    assert tables["axes.AccessLog"][0]["địa chỉ IP"] == "203.0.113.9"
    # Nothing of anyone else, and no secret of the account itself.
    assert other_order.reference not in body and other.email not in body
    assert user.password not in body and "pbkdf2" not in body and "md5$" not in body


# --- Personal data: deletion ------------------------------------------------------------

# Relations to the account whose rows must outlive it and that only staff accounts have
# (bylines, refunds asked for, training, guidance read): staff cannot delete themselves.
STAFF_ONLY = {
    ("newsroom.StoryByline", "author"),
    ("paywall.Refund", "requested_by"),
    ("analytics.TrainingRecord", "person"),
    ("analytics.GuidanceReceipt", "reader"),
    # Royalties are paid to staff for published work; who locked, proposed, approved or
    # adjusted a grade is an accounting record that must outlive any account.
    ("royalties.RoyaltyMonth", "locked_by"),
    ("royalties.Grade", "proposed_by"),
    ("royalties.Grade", "approved_by"),
    ("royalties.Share", "user"),
    ("royalties.Adjustment", "made_by"),
    # Who accepted or rejected an AI suggestion (staff in the story editor only): the
    # record of the human decision the plan asks for outlives the account.
    ("assist.AssistDecision", "user"),
}


def test_every_table_that_names_an_account_is_handled_by_deletion():
    """A new foreign key to the user model must say what happens when a reader deletes
    their account: CASCADE (their own data), SET_NULL (kept without them), or be staff
    only. PROTECT on a reader's table would make deletion impossible."""
    from django.db import models

    for model, field in user_relations():
        if field.many_to_many:
            continue
        on_delete = field.remote_field.on_delete
        key = (model._meta.label, field.name)
        if on_delete in (models.CASCADE, models.SET_NULL):
            continue
        if on_delete is models.DO_NOTHING and not field.db_constraint:
            continue  # Wagtail's log entries keep the id only
        assert key in STAFF_ONLY, f"{key}: on_delete={on_delete.__name__} blocks reader deletion"
    assert Order._meta.get_field("user").remote_field.on_delete is models.SET_NULL
    assert Subscription._meta.get_field("user").remote_field.on_delete is models.SET_NULL


def money_snapshot():
    return {
        "ledger": list(
            LedgerEntry.objects.order_by("pk").values_list(
                "pk", "kind", "amount", "order_id", "gateway_ref"
            )
        ),
        "ledger_sum": LedgerEntry.objects.aggregate(s=Sum("amount"))["s"],
        "orders": list(
            Order.objects.order_by("pk").values_list(
                "pk", "reference", "amount", "status", "gateway", "gateway_ref"
            )
        ),
        "subscriptions": list(
            Subscription.objects.order_by("pk").values_list("pk", "status", "plan_id", "ends_at")
        ),
        "totals": selectors.ledger_totals(year=timezone.localdate().year),
        "revenue": selectors.dashboard(year=timezone.localdate().year)["revenue_total"],
    }


def test_reader_deletes_their_account_and_the_ledger_keeps_every_payment(
    demo, django_capture_on_commit_callbacks
):
    user, order = paid_reader(demo, "xoa.toi@example.vn")
    pk, email = user.pk, user.email
    phone = Client(HTTP_USER_AGENT=BROWSER_UA)
    laptop = Client(HTTP_USER_AGENT=BROWSER_UA)
    for client in (phone, laptop):
        client.post("/tai-khoan/dang-nhap/", {"username": email, "password": PASSWORD})
        assert client.get("/tai-khoan/").status_code == 200
    before = money_snapshot()
    active_before = selectors.dashboard(year=timezone.localdate().year)["active_subscribers"]
    assert order.status == OrderStatus.PAID and before["ledger_sum"]

    page = phone.get("/tai-khoan/xoa-tai-khoan/").content.decode()
    assert "Sẽ bị xóa" in page and "Được giữ lại, không còn gắn với bạn" in page
    assert "Nghị định 13/2023/NĐ-CP" in page and 'name="password"' in page

    wrong = phone.post("/tai-khoan/xoa-tai-khoan/", {"password": "khong-phai-mat-khau"})
    assert wrong.status_code == 200
    assert "Mật khẩu không đúng: tài khoản chưa bị xóa." in wrong.content.decode()
    assert User.objects.filter(pk=pk).exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the mail is queued after commit (outbox)
        done = phone.post("/tai-khoan/xoa-tai-khoan/", {"password": PASSWORD})
    assert done.status_code == 200 and "Đã xóa tài khoản" in done.content.decode()

    # The person is gone, with what was theirs only.
    assert not User.objects.filter(pk=pk).exists()
    assert not User.objects.filter(email__iexact=email).exists()
    for model, field in (
        (ReaderProfile, "user_id"),
        (MeterEntry, "user_id"),
        (GiftLink, "giver_id"),
        (InstitutionSeat, "user_id"),
    ):
        assert not model.objects.filter(**{field: pk}).exists(), model
    # Every sessions ended, on every device.
    assert phone.get("/tai-khoan/").status_code == 302
    assert laptop.get("/tai-khoan/").status_code == 302
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(pk)]
    again = Client().post("/tai-khoan/dang-nhap/", {"username": email, "password": PASSWORD})
    assert again.status_code == 200 and "_auth_user_id" not in again.wsgi_request.session

    # Money: not one entry, amount, order or subscription lost; the order has no owner.
    # The running subscription ended with the account (as the page says), dates kept.
    after = money_snapshot()
    sub = order.subscription_id
    assert [s for s in after["subscriptions"] if s[0] == sub] == [
        (s[0], SubscriptionStatus.CANCELLED, *s[2:]) for s in before["subscriptions"] if s[0] == sub
    ]
    assert [s for s in before["subscriptions"] if s[0] == sub][0][1] == SubscriptionStatus.ACTIVE
    assert Subscription.objects.get(pk=sub).cancelled_at is not None
    assert {**after, "subscriptions": None} == {**before, "subscriptions": None}
    assert [s for s in after["subscriptions"] if s[0] != sub] == [
        s for s in before["subscriptions"] if s[0] != sub
    ]
    # Nobody is counted as a subscriber any more.
    year = timezone.localdate().year
    assert selectors.dashboard(year=year)["active_subscribers"] == active_before - 1
    order.refresh_from_db()
    assert order.user_id is None and order.subscription.user_id is None
    assert order.reference and order.amount and order.status == OrderStatus.PAID

    # A confirmation to the address that was the account's.
    (message,) = mail.outbox
    assert message.to == [email] and message.subject == "Tài khoản độc giả của bạn đã được xóa"
    assert "sổ doanh thu" in message.body
    # The anonymous subscription is never reminded to anyone.
    Subscription.objects.filter(pk=order.subscription_id).update(
        ends_at=timezone.now() + timezone.timedelta(days=1), status=SubscriptionStatus.ACTIVE
    )
    assert order.subscription_id not in list(services.reminders_due())
    assert services.subscription_remind(subscription_id=order.subscription_id) is False


def test_staff_cannot_use_reader_deletion(demo):
    from paywall.personal_data import is_staff_account

    staff = next(u for u in User.objects.filter(is_superuser=False) if is_staff_account(u))
    staff.set_password(PASSWORD)
    staff.save()
    client = Client()
    client.force_login(staff)
    page = client.get("/tai-khoan/xoa-tai-khoan/").content.decode()
    assert "Tài khoản cán bộ, quản trị không tự xóa được ở đây" in page
    assert 'name="password"' not in page
    refused = client.post("/tai-khoan/xoa-tai-khoan/", {"password": PASSWORD})
    assert refused.status_code == 403
    assert User.objects.filter(pk=staff.pk).exists()
    # Neither through a group alone (a newsroom role without the admin flag).
    member = User.objects.filter(is_staff=False, groups__isnull=False).first()
    if member is not None:
        member.set_password(PASSWORD)
        member.save()
        client.force_login(member)
        assert client.post("/tai-khoan/xoa-tai-khoan/", {"password": PASSWORD}).status_code == 403
        assert User.objects.filter(pk=member.pk).exists()
