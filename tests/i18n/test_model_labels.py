"""Every field, model and choice the project declares has a Vietnamese label: snippet
listings, their filters and forms, the inspect views and settings read these labels, and a
field without `verbose_name` shows its English attribute name ("Created at", "Gateway ref").

Fields a model inherits from Wagtail, wagtailmedia or Django (a page's title, a setting's
site, an orderable's sort order) are labelled by their own catalogues and not checked."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation as GR
from django.db import models
from django.utils import translation

from tests.i18n.english import ALLOWED, is_vietnamese_syllable

PROJECT_APPS = ["newsroom", "paywall", "distribution", "search", "analytics", "newsletters"]
# Newsroom words written as they are ("sapo": a story's standfirst).
NEWSROOM_WORDS = {"sapo"}


def reads_english(label) -> bool:
    """A label reads English when it is ASCII and not Vietnamese written without marks
    (a label made from an attribute name: "gateway ref", "created at")."""
    text = str(label)
    if not text.isascii():
        return False
    words = [w.strip("()").lower() for w in text.replace("_", " ").replace("/", " ").split()]
    return any(
        len(w) > 2
        and w.isalpha()
        and w not in ALLOWED | NEWSROOM_WORDS
        and not is_vietnamese_syllable(w)
        for w in words
    )


def inherited(model, name) -> bool:
    """Whether a field comes from a model of Wagtail, wagtailmedia or Django."""
    for base in model.__mro__[1:]:
        meta = getattr(base, "_meta", None)
        if meta is None or base.__module__.split(".")[0] in PROJECT_APPS:
            continue
        if any(f.name == name for f in meta.get_fields(include_parents=True)):
            return True
    return False


def english_labels():
    found = []
    with translation.override("vi"):
        for app in PROJECT_APPS:
            for model in apps.get_app_config(app).get_models():
                meta = model._meta
                where = f"{app}.{model.__name__}"
                for attr in ("verbose_name", "verbose_name_plural"):
                    if reads_english(getattr(meta, attr)):
                        found.append(f"{where} Meta.{attr} = {getattr(meta, attr)!r}")
                for field in meta.get_fields():
                    if field.auto_created or isinstance(field, (models.ForeignObjectRel, GR)):
                        continue
                    if isinstance(field, models.AutoField) or inherited(model, field.name):
                        continue
                    if field.remote_field and getattr(field.remote_field, "parent_link", False):
                        continue
                    label = getattr(field, "verbose_name", None)
                    if label is not None and reads_english(label):
                        found.append(f"{where}.{field.name} = {label!r}")
                    for value, choice in getattr(field, "flatchoices", None) or []:
                        if reads_english(choice):
                            found.append(f"{where}.{field.name} choice {value!r} = {choice!r}")
    return found


def test_the_label_check_tells_english_from_vietnamese_without_marks():
    assert reads_english("created at")
    assert reads_english("gateway ref")
    assert not reads_english("tạo lúc")
    assert not reads_english("Trong trang")
    assert not reads_english("VNPay")  # short proper names are written as they are
    assert not reads_english("ID")


@pytest.mark.django_db
def test_every_model_field_and_choice_has_a_vietnamese_label():
    found = english_labels()
    assert not found, "Labels still in English:\n" + "\n".join(found)
