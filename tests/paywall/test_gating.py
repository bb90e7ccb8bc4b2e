"""The gating rule on the routes the paywall owns: story page, Wagtail API, meta/og."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from paywall.models import Institution, MeterEntry, PaywallSettings, SubscriptionStatus
from paywall.services import METER_COOKIE

from .conftest import BROWSER_UA, assert_no_paid, assert_paid, host

pytestmark = pytest.mark.django_db


def get_story(client, story, **extra):
    response = client.get(story.url, **host(story), **extra)
    assert response.status_code == 200
    return response


def test_anonymous_reader_gets_teaser_and_wall_on_premium(reader_client, stories):
    story = stories["premium"]
    response = get_story(reader_client, story)
    html = response.content.decode()
    assert_no_paid(html, story)
    assert 'class="paywall-wall"' in html and 'class="paywall-paid"' not in html
    assert "Gói tháng" in html  # the plans are on the wall
    assert "public" in response["Cache-Control"] and "Cookie" in response["Vary"]


def test_active_subscriber_reads_premium_privately(reader_client, stories, make_reader, subscribe):
    story = stories["premium"]
    user = make_reader()
    subscribe(user, story.get_site())
    reader_client.force_login(user)
    response = get_story(reader_client, story)
    html = response.content.decode()
    assert_paid(html, story)
    assert '<div class="paywall-paid">' in html
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_demo_subscriber_reads_and_free_reader_does_not(reader_client, stories, demo_password):
    story = stories["premium"]
    login = reader_client.post(
        "/tai-khoan/dang-nhap/",
        {"username": "docgia.thuebao", "password": demo_password},
        **host(story),
    )
    assert login.status_code == 302
    assert_paid(get_story(reader_client, story).content.decode(), story)
    other = Client(HTTP_USER_AGENT=BROWSER_UA)
    other.force_login(_user("docgia.mienphi"))
    assert_no_paid(get_story(other, story).content.decode(), story)


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize("status", [SubscriptionStatus.EXPIRED, SubscriptionStatus.CANCELLED])
def test_expired_or_cancelled_subscriber_gets_no_paid_text(
    reader_client, stories, make_reader, subscribe, status
):
    story = stories["premium"]
    user = make_reader()
    subscribe(user, story.get_site(), days_left=-1, status=status)
    # Past its end date, even a row still marked active grants nothing.
    subscribe(user, story.get_site(), days_left=-1, status=SubscriptionStatus.ACTIVE)
    reader_client.force_login(user)
    assert_no_paid(get_story(reader_client, story).content.decode(), story)


def test_institutional_ip_range_reads_premium(reader_client, stories, provincial_library):
    story = stories["premium"]
    inside = get_story(reader_client, story, REMOTE_ADDR="203.113.130.77")
    assert_paid(inside.content.decode(), story)
    assert "private" in inside["Cache-Control"]
    outside = get_story(Client(HTTP_USER_AGENT=BROWSER_UA), story, REMOTE_ADDR="203.113.131.1")
    assert_no_paid(outside.content.decode(), story)


def test_institution_email_domain_respects_seat_limit(stories, make_reader):
    story = stories["premium"]
    Institution.objects.create(
        name="THPT Lam Sơn",
        email_domain="lamson.edu.vn",
        seat_limit=1,
        valid_until=timezone.localdate() + timezone.timedelta(days=30),
    )
    first, second = make_reader("a@lamson.edu.vn"), make_reader("b@lamson.edu.vn")
    unverified = make_reader("c@lamson.edu.vn", verified=False)
    results = []
    for user in (first, second, unverified):
        client = Client(HTTP_USER_AGENT=BROWSER_UA)
        client.force_login(user)
        results.append(get_story(client, story).content.decode())
    assert_paid(results[0], story)
    assert_no_paid(results[1], story)  # seat limit reached
    assert_no_paid(results[2], story)  # unverified email never takes a seat


def test_meta_and_og_description_never_carry_paid_text(
    reader_client, stories, make_reader, subscribe
):
    story = stories["premium"]
    # Without a standfirst the description falls back to the free part only.
    type(story).objects.filter(pk=story.pk).update(standfirst="", search_description="")
    html = get_story(reader_client, story).content.decode()
    head = html.split("</head>")[0]
    assert_no_paid(head, story)
    assert 'name="description"' in head and 'property="og:description"' in head
    user = make_reader()
    subscribe(user, story.get_site())
    reader_client.force_login(user)
    head = get_story(reader_client, story).content.decode().split("</head>")[0]
    assert_no_paid(head, story)


def test_free_story_is_whole_for_everyone(reader_client, stories):
    story = stories["free"]
    html = get_story(reader_client, story).content.decode()
    assert 'class="paywall-wall"' not in html


# --- Meter --------------------------------------------------------------------------------


def _limit(site, n):
    config = PaywallSettings.for_site(site)
    config.meter_limit = n
    config.save()


def test_anonymous_meter_counts_reopen_free_then_registration_wall(reader_client, stories):
    metered = stories["metered"]
    _limit(stories["site"], 3)
    for story in metered[:3]:
        response = get_story(reader_client, story)
        assert_paid(response.content.decode(), story)
        cookie = response.cookies[METER_COOKIE]
        assert cookie["httponly"] and "private" in response["Cache-Control"]
    # Reopening a counted story does not charge again.
    assert_paid(get_story(reader_client, metered[0]).content.decode(), metered[0])
    fourth = get_story(reader_client, metered[3])
    html = fourth.content.decode()
    assert_no_paid(html, metered[3])
    assert 'data-wall="register"' in html
    assert "/tai-khoan/dang-ky/" in html


def test_bots_head_and_post_never_count(stories):
    story = stories["metered"][0]
    _limit(stories["site"], 1)
    bot = Client(
        HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    )
    response = get_story(bot, story)
    assert_no_paid(response.content.decode(), story)
    assert METER_COOKIE not in response.cookies
    reader = Client(HTTP_USER_AGENT=BROWSER_UA)
    head = reader.head(story.url, **host(story))
    assert METER_COOKIE not in head.cookies
    reader.post(story.url, **host(story))
    assert METER_COOKIE not in reader.cookies
    # The single free story is still available to the reader.
    assert_paid(get_story(reader, story).content.decode(), story)


def test_tampered_meter_cookie_is_refused(reader_client, stories):
    story = stories["metered"][0]
    _limit(stories["site"], 3)
    response = get_story(reader_client, story)
    signed = response.cookies[METER_COOKIE].value
    value, _, signature = signed.rpartition(":")
    forged = json.dumps({"m": timezone.localtime().strftime("%Y-%m"), "s": {}})
    for bad in (forged + ":" + signature, signed[:-2] + "xx", "rác"):
        client = Client(HTTP_USER_AGENT=BROWSER_UA)
        client.cookies[METER_COOKIE] = bad
        response = get_story(client, stories["metered"][1])
        html = response.content.decode()
        assert_no_paid(html, stories["metered"][1])
        assert "đã bị sửa" in html
        assert METER_COOKIE not in response.cookies


def test_logged_in_meter_in_database_then_subscription_wall(stories, make_reader):
    metered = stories["metered"]
    _limit(stories["site"], 2)
    user = make_reader()
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(user)
    for story in metered[:2]:
        assert_paid(get_story(client, story).content.decode(), story)
    assert MeterEntry.objects.filter(user=user).count() == 2
    html = get_story(client, metered[2]).content.decode()
    assert_no_paid(html, metered[2])
    assert 'data-wall="subscribe"' in html
    assert MeterEntry.objects.filter(user=user).count() == 2


def test_meter_merges_at_login(stories, make_reader):
    metered = stories["metered"]
    _limit(stories["site"], 3)
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    for story in metered[:2]:
        get_story(client, story)
    user = make_reader("merge@example.vn")
    response = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": "merge@example.vn", "password": "mat-khau-rat-dai-2026"},
        **host(metered[0]),
    )
    assert response.status_code == 302
    assert set(MeterEntry.objects.filter(user=user).values_list("story_id", flat=True)) == {
        metered[0].pk,
        metered[1].pk,
    }
    assert response.cookies[METER_COOKIE].value == ""  # the anonymous meter is cleared
    # One story left for this reader this month, then the subscription wall.
    assert_paid(get_story(client, metered[2]).content.decode(), metered[2])
    assert_no_paid(get_story(client, metered[3]).content.decode(), metered[3])


# --- Wagtail API -------------------------------------------------------------------------


def test_api_body_is_teaser_only_for_everyone(stories, make_reader, subscribe):
    story = stories["premium"]
    user = make_reader()
    subscribe(user, story.get_site())
    anonymous, subscriber = Client(), Client()
    subscriber.force_login(user)
    for client in (anonymous, subscriber):
        detail = client.get(f"/api/v2/pages/{story.pk}/", **host(story))
        assert detail.status_code == 200
        data = detail.json()
        assert data["body"], "teaser blocks are present"
        assert_no_paid(json.dumps(data, ensure_ascii=False), story)
        listing = client.get(
            f"/api/v2/pages/?type=newsroom.StoryPage&fields=body&child_of={story.get_parent().pk}",
            **host(story),
        )
        assert listing.status_code == 200
        # Demo stories share a paragraph pool: check this story's item.
        (item,) = [item for item in listing.json()["items"] if item["id"] == story.pk]
        assert item["body"]
        assert_no_paid(json.dumps(item, ensure_ascii=False), story)
    searching = anonymous.get("/api/v2/pages/?search=chuyen", **host(story))
    assert searching.status_code == 400
    # APIs never count on the meter.
    assert METER_COOKIE not in anonymous.cookies
    assert not MeterEntry.objects.filter(user=user).exists()


def test_print_view_uses_the_same_gate(reader_client, stories, make_reader, subscribe):
    story = stories["premium"]
    anonymous = reader_client.get(f"/in/{story.pk}/", **host(story))
    assert anonymous.status_code == 200
    assert_no_paid(anonymous.content.decode(), story)
    assert "public" in anonymous["Cache-Control"]
    user = make_reader()
    subscribe(user, story.get_site())
    reader_client.force_login(user)
    full = reader_client.get(f"/in/{story.pk}/", **host(story))
    assert_paid(full.content.decode(), story)
    assert "private" in full["Cache-Control"]
    assert reader_client.get("/in/1/", **host(story)).status_code == 404  # not a story
