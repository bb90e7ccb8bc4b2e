from django.urls import path

from . import public

urlpatterns = [
    path("loi-thoai/<int:asset_id>.vtt", public.captions, name="transcripts_captions"),
]
