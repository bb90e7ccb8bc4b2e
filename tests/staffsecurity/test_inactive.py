"""Staff accounts with no login for 45 days are disabled by a daily beat task (also a
management command); readers are not; one superuser is always kept."""

import logging
from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from staffsecurity import tasks

User = get_user_model()


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_unused_staff_accounts_are_disabled(demo, reader, caplog):
    User.objects.filter(username="phongvien.baothanhhoa").update(last_login=days_ago(46))
    User.objects.filter(username="bientap.baothanhhoa").update(last_login=days_ago(44))
    # Created 50 days ago, never logged in: unused as well.
    User.objects.filter(username="thuky.ptth").update(last_login=None, date_joined=days_ago(50))
    # A new colleague who has not logged in yet keeps their account.
    User.objects.filter(username="thuky.vannghe").update(last_login=None, date_joined=days_ago(10))
    old_reader = reader()
    User.objects.filter(pk=old_reader.pk).update(last_login=days_ago(200))
    caplog.set_level(logging.WARNING, logger="staffsecurity.services")
    session = Client()
    session.force_login(User.objects.get(username="phongvien.baothanhhoa"))
    User.objects.filter(username="phongvien.baothanhhoa").update(last_login=days_ago(46))
    key = session.session.session_key

    out = StringIO()
    call_command("disable_inactive_staff", stdout=out)

    disabled = set(User.objects.filter(is_active=False).values_list("username", flat=True))
    assert disabled == {"phongvien.baothanhhoa", "thuky.ptth"}
    assert "Disabled 2 staff account(s) unused for 45 days." in out.getvalue()
    assert not Session.objects.filter(session_key=key).exists()
    lines = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("Disabled staff account phongvien.baothanhhoa" in line for line in lines)
    (alert,) = mail.outbox
    assert "quantri@hoitu.demo" in alert.to
    assert "phongvien.baothanhhoa" in alert.body and "thuky.ptth" in alert.body
    assert "chưa" in alert.body  # thuky.ptth never logged in

    # Run again: nothing more to do, no second mail.
    call_command("disable_inactive_staff", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_dry_run_changes_nothing(demo):
    User.objects.filter(username="phongvien.ptth").update(last_login=days_ago(60))
    out = StringIO()
    call_command("disable_inactive_staff", "--dry-run", stdout=out)
    assert "Would disable phongvien.ptth" in out.getvalue()
    assert User.objects.get(username="phongvien.ptth").is_active
    assert not mail.outbox


def test_the_last_superuser_is_kept(demo):
    superusers = User.objects.filter(is_superuser=True, is_active=True)
    superusers.update(last_login=days_ago(90))
    keeper = superusers.order_by("pk").last()
    User.objects.filter(pk=keeper.pk).update(last_login=days_ago(80))
    tasks.disable_inactive_staff.delay()
    assert list(User.objects.filter(is_superuser=True, is_active=True)) == [keeper]


def test_beat_runs_it_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["staffsecurity-disable-inactive"]
    assert entry["task"] == "staffsecurity.tasks.disable_inactive_staff"
    assert entry["task"] == tasks.disable_inactive_staff.name
