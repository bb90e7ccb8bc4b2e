"""Lockout alerts; sessions tracked at login and ended when the account is disabled,
deleted or its password changes."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from .lockout import alert_lockout
from .services import session_track, sessions_end
from .sessions import TRACKED, session_start

logger = logging.getLogger(__name__)
User = get_user_model()

user_locked_out.connect(alert_lockout, dispatch_uid="staffsecurity-lockout-alert")


@receiver(user_logged_in, dispatch_uid="staffsecurity-session-start")
def on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    session_start(request, user)
    if not request.session.session_key:
        request.session.save()  # a key now, so that it can be tracked
    session_track(user, request.session.session_key)
    request.session[TRACKED] = request.session.session_key


@receiver(pre_save, sender=User, dispatch_uid="staffsecurity-credentials-changing")
def note_credentials_change(sender, instance, update_fields=None, **kwargs):
    instance._staffsecurity_end_sessions = None
    if instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login at each login
    old = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    if old["password"] != instance.password:
        instance._staffsecurity_end_sessions = "password changed"
    elif old["is_active"] and not instance.is_active:
        instance._staffsecurity_end_sessions = "account disabled"


@receiver(post_save, sender=User, dispatch_uid="staffsecurity-credentials-changed")
def end_sessions_on_credentials_change(sender, instance, **kwargs):
    reason = getattr(instance, "_staffsecurity_end_sessions", None)
    if reason:
        instance._staffsecurity_end_sessions = None
        count = sessions_end(instance)
        logger.info("Ended %s session(s) of user %s: %s", count, instance.pk, reason)


@receiver(pre_delete, sender=User, dispatch_uid="staffsecurity-user-deleted")
def end_sessions_on_delete(sender, instance, **kwargs):
    sessions_end(instance)
