"""Reader-side: WebVTT captions of a free video cut's corrected transcript."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from newsroom.models import MediaAsset

from .selectors import public_captions, webvtt


@require_GET
def captions(request, asset_id):
    segments = public_captions(MediaAsset.objects.filter(pk=asset_id).first())
    if not segments:
        raise Http404("Không có phụ đề.")
    response = HttpResponse(webvtt(segments), content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
