"""Staff sessions end after HOITU_STAFF_SESSION_IDLE without a request and, whatever
happens, HOITU_STAFF_SESSION_MAX_AGE after the login. Readers keep Django's session age
(they stay logged in on their phones)."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout

from .services import is_staff_account, session_track

logger = logging.getLogger(__name__)

STAFF = "staffsecurity.staff"
LOGIN_AT = "staffsecurity.login_at"
SEEN_AT = "staffsecurity.seen_at"
TRACKED = "staffsecurity.tracked"
# The last request is written back at most this often (one session write a minute).
SEEN_RESOLUTION = 60

IDLE_MESSAGE = (
    "Phiên làm việc đã hết hạn vì không thao tác trong {minutes} phút. Vui lòng đăng nhập lại."
)
MAX_AGE_MESSAGE = (
    "Phiên làm việc đã hết hạn ({hours} giờ kể từ lúc đăng nhập). Vui lòng đăng nhập lại."
)


def session_start(request, user) -> None:
    """At login: whose session it is and when it began."""
    now = time.time()
    request.session[STAFF] = is_staff_account(user)
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def expiry(session, now: float) -> tuple[str, str] | None:
    """(reason for the log, message for the login page) once a staff session is over."""
    idle = settings.HOITU_STAFF_SESSION_IDLE.total_seconds()
    max_age = settings.HOITU_STAFF_SESSION_MAX_AGE.total_seconds()
    if now - session.get(LOGIN_AT, now) >= max_age:
        return "maximum age reached", MAX_AGE_MESSAGE.format(hours=round(max_age / 3600))
    if now - session.get(SEEN_AT, now) >= idle:
        return "idle timeout", IDLE_MESSAGE.format(minutes=round(idle / 60))
    return None


class StaffSessionMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            if STAFF not in session:  # logged in before this middleware existed
                session_start(request, request.user)
            if session[STAFF]:
                now = time.time()
                ended = expiry(session, now)
                if ended:
                    user_id = session[SESSION_KEY]
                    logout(request)
                    messages.warning(request, ended[1])
                    logger.info("Ended staff session of user %s: %s", user_id, ended[0])
                elif now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
                    session[SEEN_AT] = now
        response = self.get_response(request)
        # A login or a password change gives the session a new key: keep it on the
        # user's list, so that it can be ended with the others.
        key = getattr(request, "session", session).session_key
        if key and SESSION_KEY in request.session and request.session.get(TRACKED) != key:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                session_track(user, key)
                request.session[TRACKED] = key
        return response
