"""Cache-Control of reader pages, for the page cache in front of the app (nginx's
proxy_cache in deploy/nginx/hoitu.conf, docs/deploy.md).

An anonymous reader's Wagtail page (home, section, story, teaser of a paid story) is the
same for every anonymous reader: `public, max-age=5, s-maxage=5, stale-while-revalidate=…`,
so a published change reaches readers within HOITU_PAGE_CACHE_SECONDS without a purge.
A page for a logged-in reader, or one that sets a cookie (meter, CSRF, messages, session),
is personal: `private`. What a view already marked private / no-store / no-cache is left
alone. Listed before SessionMiddleware so it sees every cookie the inner layers set.

Reader pages are Vietnamese only: LocaleMiddleware's `Vary: Accept-Language` is taken off
them (the admin keeps it), so no cache keeps one copy per browser language."""

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.regex_helper import _lazy_re_compile

_VARY_SPLIT = _lazy_re_compile(r"\s*,\s*")

_PERSONAL = ("private", "no-store", "no-cache")


class ReaderPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            request.method not in ("GET", "HEAD")
            or match is None
            or match.url_name != "wagtail_serve"
        ):
            return response
        _drop_vary(response, "accept-language")
        current = response.get("Cache-Control", "")
        if any(word in current for word in _PERSONAL):
            return response
        user = getattr(request, "user", None)
        if response.cookies or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, max_age=0)
        elif response.status_code == 200:
            seconds = settings.HOITU_PAGE_CACHE_SECONDS
            patch_cache_control(
                response,
                public=True,
                max_age=seconds,
                s_maxage=seconds,
                stale_while_revalidate=settings.HOITU_PAGE_CACHE_STALE_SECONDS,
            )
        return response


def _drop_vary(response, header: str) -> None:
    if not response.has_header("Vary"):
        return
    kept = [v for v in _VARY_SPLIT.split(response["Vary"]) if v and v.lower() != header]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]
