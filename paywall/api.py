"""Wagtail API v2 at /api/v2/. Story bodies are always gated to the teaser: APIs never
carry paid text, whoever asks."""

import datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from wagtail.api import APIField
from wagtail.api.v2.filters import FieldsFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet

from .gating import teaser_blocks

STORY_FIELDS = ["standfirst", "access_level", "body"]
# Past PostgreSQL's bigint an OFFSET is a database error (was a 500); no archive has a
# million pages, so a larger offset is refused as a client error.
MAX_OFFSET = 1_000_000


def _is_story(obj) -> bool:
    return hasattr(obj, "access_level") and hasattr(obj, "body")


class GatedPageSerializer(PageSerializer):
    def to_representation(self, instance):
        data = super().to_representation(instance)
        if "body" in data and _is_story(instance):
            data["body"] = [
                {
                    "type": block.block_type,
                    "value": block.block.get_api_representation(block.value, self.context),
                    "id": block.id,
                }
                for block in teaser_blocks(instance)
            ]
        return data


class BoundedPagination(WagtailPagination):
    def paginate_queryset(self, queryset, request, view=None):
        try:
            offset = int(request.GET.get("offset", 0))
        except ValueError:
            offset = 0  # Wagtail's own check below says what is wrong with it
        if offset > MAX_OFFSET:
            raise BadRequestError(f"offset cannot be higher than {MAX_OFFSET}")
        return super().paginate_queryset(queryset, request, view)


class CheckedFieldsFilter(FieldsFilter):
    """Wagtail converts integer and boolean filters itself; a date-time field's value
    (?first_published_at=²) was left to the ORM, whose ValidationError was a 500, and
    year 1 overflowed where the database stores UTC (SQLite, make run)."""

    def filter_queryset(self, request, queryset, view):
        for name, value in request.GET.items():
            try:
                field = queryset.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.DateTimeField):
                try:
                    moment = field.to_python(value)
                    if moment is not None and timezone.is_naive(moment):
                        moment = timezone.make_aware(moment)
                    if moment is not None:
                        moment.astimezone(datetime.UTC)
                except ValidationError as exc:
                    raise BadRequestError(f"field filter error. {' '.join(exc.messages)}") from exc
                except OverflowError as exc:
                    raise BadRequestError(
                        f"field filter error. {name} is out of range once converted to UTC"
                    ) from exc
        return super().filter_queryset(request, queryset, view)


class GatedPagesAPIViewSet(PagesAPIViewSet):
    base_serializer_class = GatedPageSerializer
    pagination_class = BoundedPagination
    filter_backends = [
        CheckedFieldsFilter if f is FieldsFilter else f for f in PagesAPIViewSet.filter_backends
    ]
    # Full-text search over the API would let anyone probe paid text by query.
    known_query_parameters = PagesAPIViewSet.known_query_parameters - {
        "search",
        "search_operator",
    }

    def find_object(self, queryset, request):
        raw = request.GET.get("id")
        if raw is not None and not (raw.isascii() and raw.isdecimal()):
            raise BadRequestError("id must be a whole number")  # was a ValueError, a 500
        return super().find_object(queryset, request)

    @classmethod
    def get_body_fields(cls, model):
        fields = super().get_body_fields(model)
        if _is_story(model):
            names = {f.name for f in fields}
            fields = fields + [APIField(name) for name in STORY_FIELDS if name not in names]
        return fields


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", GatedPagesAPIViewSet)
