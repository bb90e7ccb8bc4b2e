"""Staff-only JSON endpoints of the editor's "Gợi ý AI" panel (under /admin/, so Wagtail's
admin login applies; POST only, CSRF checked by Django's middleware)."""

import json
import logging
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from aiservices import services as ai

from .models import SuggestionKind
from .selectors import draft_location, outlet_context
from .services import decision_record
from .suggesters import Draft, all_suggestions

logger = logging.getLogger(__name__)


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _payload(request):
    """The request's JSON object, or an error response."""
    if len(request.body) > settings.ASSIST_MAX_INPUT_BYTES:
        limit = settings.ASSIST_MAX_INPUT_BYTES // 1000
        return None, _error(f"Bài quá dài để gợi ý (tối đa {limit} KB văn bản).", 413)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, _error("Dữ liệu gửi lên không đúng định dạng JSON.", 400)
    if not isinstance(data, dict):
        return None, _error("Dữ liệu gửi lên không đúng định dạng JSON.", 400)
    return data, None


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _str(data, key, limit=None):
    value = data.get(key, "")
    value = value if isinstance(value, str) else ""
    return value[:limit] if limit else value


def _location(request, data):
    try:
        return draft_location(
            user=request.user,
            page_id=_int(data.get("page_id")),
            parent_id=_int(data.get("parent_id")),
        ), None
    except PermissionDenied:
        return None, _error("Bạn không có quyền với bài hoặc chuyên mục này.", 403)


@require_POST
def suggest(request):
    data, error = _payload(request)
    if error:
        return error
    location, error = _location(request, data)
    if error:
        return error
    agency, section, story = location
    started = time.perf_counter()
    draft = Draft(
        title=_str(data, "title", 500),
        standfirst=_str(data, "standfirst", 2000),
        body=_str(data, "body"),
        page_id=story.pk if story else None,
    )
    # Counted in the agency's AI usage (docs/ai.md) as a call on its own machines: one
    # CallLog row (outcome, duration, characters sent) and the month's UsageMonth.
    subject = f"trang {story.pk}" if story else f"bài mới, chuyên mục {section.pk}"
    try:
        with ai.track(
            agency, ai.Provider.OFFLINE, ai.Capability.ASSIST, subject=subject, user=request.user
        ) as call:
            call.units = len(draft.text)
            context = outlet_context(section=section, exclude_page_id=draft.page_id)
            result = all_suggestions(draft, context)
    except Exception:
        # Recorded as a failed call by `track`; the draft in the editor is untouched.
        logger.exception("assist suggestions failed: %s", subject)
        return _error("Chưa lấy được gợi ý AI lúc này; bài đang viết không bị ảnh hưởng.", 500)
    result["current_section"] = section.pk
    elapsed = time.perf_counter() - started
    logger.info("assist suggestions in %.0f ms (%d chars)", elapsed * 1000, len(draft.text))
    return JsonResponse(result)


@require_POST
def decide(request):
    data, error = _payload(request)
    if error:
        return error
    location, error = _location(request, data)
    if error:
        return error
    agency, section, story = location
    kind, value = _str(data, "kind"), _str(data, "value").strip()
    accepted = data.get("accepted")
    if kind not in SuggestionKind.values or not value or not isinstance(accepted, bool):
        return _error("Quyết định không hợp lệ: thiếu loại gợi ý, nội dung hoặc lựa chọn.", 400)
    decision = decision_record(
        user=request.user,
        agency=agency,
        section=section,
        story=story,
        kind=kind,
        value=value,
        original=_str(data, "original"),
        accepted=accepted,
    )
    return JsonResponse({"id": decision.pk, "accepted": decision.accepted})
