"""What the service worker may keep of a response, and the wipe at log-out.

Every Wagtail page answer gets `X-Hoitu-Offline` (the worker stores nothing without it):

- `public`: the same for every reader (home, sections, free stories);
- `private`: a paid story for a logged-in reader: kept in the device's private cache,
  emptied at log-out; a reader not entitled gets only the teaser there anyway;
- `never`: a paid story for an anonymous reader (metered text read under the meter, a
  teaser): never stored on the device, and a copy already there is dropped.

A `private` answer also carries `X-Hoitu-Reader`, a keyed hash of the reader: when another
reader's private page arrives on the device, the worker drops the copies of the first.

`X-Hoitu-Offline-List: 1` marks a home or section page: the worker then fetches the
stories it lists (views.offline_list) to keep them readable offline.

A log-out (any: the reader's, the admin's, account deletion) answers with
`Clear-Site-Data: "cache", "storage"`: the browser drops the worker's caches, the worker
itself and the HTTP cache of the site, so paid text leaves the device with the reader."""

from django.utils.crypto import salted_hmac

from paywall.access import AccessLevel

HEADER = "X-Hoitu-Offline"
READER_HEADER = "X-Hoitu-Reader"
LIST_HEADER = "X-Hoitu-Offline-List"
CLEAR_SITE_DATA = '"cache", "storage"'


def remember_page(page, request) -> None:
    request.hoitu_offline_page = page


def mark_logout(sender, request=None, **kwargs) -> None:
    if request is not None:
        request.hoitu_logged_out = True


def storage_class(page, request) -> str:
    """public, private or never (see the module's docstring)."""
    level = getattr(page, "access_level", AccessLevel.FREE)
    if level == AccessLevel.FREE:
        return "public"
    user = getattr(request, "user", None)
    return "private" if user is not None and user.is_authenticated else "never"


def reader_tag(user) -> str:
    """Tells one reader's copies from another's on a shared phone; names nobody."""
    return salted_hmac("offline.reader", str(user.pk)).hexdigest()[:16]


class OfflineHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "hoitu_logged_out", False):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
            return response
        page = getattr(request, "hoitu_offline_page", None)
        if page is None or response.status_code != 200:
            return response
        from newsroom.models import HomePage, SectionPage

        store = response[HEADER] = storage_class(page, request)
        if store == "private":
            response[READER_HEADER] = reader_tag(request.user)
        if isinstance(page, HomePage | SectionPage):
            response[LIST_HEADER] = "1"
        return response
