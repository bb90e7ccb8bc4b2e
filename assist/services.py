"""Writes of the assistant: the log of decisions on suggestions."""

from django.db import transaction

from .models import AssistDecision, SuggestionKind


@transaction.atomic
def decision_record(
    *, user, agency, section, story, kind: str, value: str, original: str = "", accepted: bool
) -> AssistDecision:
    if kind not in SuggestionKind.values:
        raise ValueError(kind)
    return AssistDecision.objects.create(
        user=user,
        agency=agency,
        section=section,
        story=story,
        kind=kind,
        value=value[:600],
        original=original[:300],
        accepted=accepted,
    )
