from django.urls import reverse

from staffsecurity.services import is_staff_account as is_staff

from . import context
from .services import record


class AuditContextMiddleware:
    """Makes the request known to the audit signal handlers, and records every file a
    staff member downloads from the admin (indicator exports, XLSX/CSV/PDF, reports)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        token = context.set_request(request)
        try:
            response = self.get_response(request)
            context.run_after_response(request)
            self._record_download(request, response)
            return response
        finally:
            context.reset(token)

    def _record_download(self, request, response) -> None:
        disposition = response.get("Content-Disposition", "")
        if not disposition or response.status_code != 200:
            return
        if self.admin_prefix is None:
            self.admin_prefix = reverse("wagtailadmin_home")
        user = getattr(request, "user", None)
        if not request.path.startswith(self.admin_prefix) or not is_staff(user):
            return
        filename = disposition.partition("filename=")[2].strip('"')
        record(
            "hoitu.export",
            label="Xuất / tải tệp",
            request=request,
            object_type=response.get("Content-Type", "").split(";")[0],
            object_repr=filename[:255],
            data={"query": request.META.get("QUERY_STRING", "")[:500], "file": filename},
        )
