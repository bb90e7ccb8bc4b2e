"""The administrator opens every screen of the admin menu and every snippet's listing, add
form and first record (edit or inspect), rendered on the server: not one English interface
word may show. The browser test (tests/e2e/test_admin_vietnamese.py) walks what each role
clicks through; this one covers the breadth of the menu quickly, without a browser."""

import re

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from wagtail.snippets.models import get_snippet_models

from tests.i18n.english import english_words
from tests.i18n.test_vietnamese import ENGLISH_BROWSER, visible_text

# Mounted by Django, not Wagtail: out of the newsroom's admin (issue 10).
OUT_OF_SCOPE = ("/django-admin/",)


def menu_urls(html: str) -> list:
    """Every address of the sidebar menu, submenus included (Wagtail packs its props as
    JSON into a script element)."""
    props = lxml.html.fromstring(html).xpath("//script[@id='wagtail-sidebar-props']/text()")
    assert props, "no sidebar on the dashboard"
    urls = re.findall(r'"url":\s*"(/admin/[^"]*)"', props[0])
    return [u for u in dict.fromkeys(urls) if not u.startswith(OUT_OF_SCOPE)]


def snippet_urls() -> list:
    """Every snippet's listing and add form, and the edit or inspect view of its first
    record (where the viewset offers them)."""
    urls = []
    for model in get_snippet_models():
        viewset = model.snippet_viewset
        for action in ("list", "add"):
            try:
                urls.append(reverse(viewset.get_url_name(action)))
            except NoReverseMatch:
                pass
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for action in ("edit", "inspect"):
                try:
                    urls.append(reverse(viewset.get_url_name(action), args=[first.pk]))
                except NoReverseMatch:
                    pass
    return urls


def english_on(client, url) -> list:
    response = client.get(url, follow=True)
    if response.status_code >= 400 or any("/login/" in u for u, _ in response.redirect_chain):
        return [f"{url}: HTTP {response.status_code}"]
    html = response.content.decode()
    found = []
    for line in visible_text(html).splitlines():
        words = english_words(line)
        if words:
            found.append(f"{url}: {words} in {line.strip()[:140]!r}")
    return found


@pytest.mark.django_db
def test_the_administrator_sees_every_menu_screen_and_snippet_in_vietnamese(demo):
    client = Client(**ENGLISH_BROWSER)
    client.force_login(get_user_model().objects.get(username="quantri"))
    dashboard = client.get("/admin/").content.decode()
    urls = list(dict.fromkeys(["/admin/", *menu_urls(dashboard), *snippet_urls()]))
    # Every snippet the project registers is reached (paywall, broadcast, planning, …).
    assert reverse("wagtailsnippets_paywall_order:list") in urls
    assert len(urls) > 30
    found = []
    for url in urls:
        found += english_on(client, url)
    assert not found, "English on the admin screens:\n" + "\n".join(found)


def test_media_tags_and_times_are_worded_in_vietnamese():
    """Messages other screens show only after an action (checked by their msgids)."""
    with translation.override("vi"):
        for msgid in [
            "Media file '{0}' added.",
            "Media file '{0}' updated",
            "just now",
            'Multi-word tags with spaces will automatically be enclosed in double quotes (").',
        ]:
            assert not english_words(translation.gettext(msgid)), msgid
