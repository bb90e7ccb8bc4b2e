"""Writes the anonymous meter cookie and the cache headers a gated page needs.

Full paid text: Cache-Control private (never in a shared cache). Teaser: may be cached
publicly, but always with Vary: Cookie so a shared cache never hands one reader's page
to another."""

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers

from .services import METER_COOKIE, meter_cookie_value


class PaywallMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        decision = getattr(request, "_paywall_decision", None)
        if decision is not None:
            patch_vary_headers(response, ["Cookie"])
            if decision.full and decision.reason != "free":
                patch_cache_control(response, private=True, no_cache=True, max_age=0)
                response.headers.pop("Expires", None)
            elif not request.user.is_authenticated:
                patch_cache_control(
                    response, public=True, max_age=getattr(settings, "PAYWALL_TEASER_MAX_AGE", 60)
                )
            else:
                patch_cache_control(response, private=True, max_age=0)
        data = getattr(request, "_paywall_meter_cookie", None)
        if data is not None:
            # A response that sets a cookie must never be shared.
            patch_cache_control(response, private=True)
            response.set_cookie(
                METER_COOKIE,
                meter_cookie_value(data),
                max_age=40 * 24 * 3600,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        elif getattr(request, "_paywall_meter_clear", False):
            response.delete_cookie(METER_COOKIE, samesite="Lax")
        return response
