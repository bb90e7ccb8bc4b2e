"""A signed-in user who needs the second step and has not passed it is only half in.

Admin addresses send them to the second step (or to enrolment); everywhere else they
are treated as not signed in, so a password alone opens nothing: not the newsroom, not
the reader's account, not an API. The pages of the second step itself, the admin's login
and logout, its translations and icons are let through. Installed right after django-otp's
OTPMiddleware, which tells whether the session passed the second step."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import services


def _exempt_paths():
    return {
        reverse("wagtailadmin_login"),
        reverse("wagtailadmin_logout"),
        reverse("wagtailadmin_javascript_catalog"),
        reverse("wagtailadmin_sprite"),  # the icons of the step's own pages
        reverse("twofactor_admin:verify"),
        reverse("twofactor_admin:enrol"),
        reverse("twofactor_reader:verify"),
        reverse("paywall:logout"),
    }


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and services.needs_verification(user):
            if self._exempt is None:
                self._exempt = _exempt_paths()
                self._admin = reverse("wagtailadmin_home")
            path = request.path_info
            if path not in self._exempt:
                if path.startswith(self._admin):
                    target = reverse("twofactor_admin:verify")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
                request.user = AnonymousUser()

                async def auser():
                    return request.user

                request.auser = auser
        return self.get_response(request)
