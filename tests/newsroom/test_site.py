import pytest
from django.core.management import call_command
from wagtail.models import Page

from newsroom.models import Agency, Outlet, SectionPage, StoryPage

pytestmark = pytest.mark.django_db

HOSTS = ["localhost", "truyenhinh.localhost", "vannghe.localhost"]


@pytest.mark.parametrize("host", HOSTS)
def test_each_outlet_home_renders_with_legal_footer(client, demo, host):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 200
    outlet = Outlet.objects.select_related("agency").get(site__hostname=host)
    html = response.content.decode()
    agency = outlet.agency
    for required in (
        outlet.name,
        agency.name,
        agency.governing_body,
        agency.licence_number,
        agency.licence_issuer,
        agency.licence_date.strftime("%d/%m/%Y"),
        agency.address,
        agency.editor_in_chief,
    ):
        assert required in html, required


def test_story_section_tag_and_author_pages_render(client, demo):
    story = StoryPage.objects.live().filter(bylines__isnull=False).first()
    site = story.get_site()
    host = {"HTTP_HOST": site.hostname}
    response = client.get(story.url, **host)
    assert response.status_code == 200
    html = response.content.decode()
    assert story.title in html
    assert story.get_site().outlet.agency.editor_in_chief in html
    section = story.get_parent()
    assert client.get(section.url, **host).status_code == 200
    tag = story.tags.first()
    assert client.get(f"/tag/{tag.slug}/", **host).status_code == 200
    author = story.bylines.first().author
    newest = (
        StoryPage.objects.live().filter(bylines__author=author).order_by("-first_published_at")
    ).first()
    response = client.get(f"/tac-gia/{author.staff_profile.slug}/", **host)
    assert response.status_code == 200
    assert newest.title in response.content.decode()
    assert client.get("/tag/khong-co-chu-de-nay/", **host).status_code == 404


def test_demo_loader_runs_twice_without_duplicates(demo):
    counts = (
        Agency.objects.count(),
        Outlet.objects.count(),
        SectionPage.objects.count(),
        StoryPage.objects.count(),
        Page.objects.count(),
    )
    call_command("load_initial_data", verbosity=0)
    assert counts == (
        Agency.objects.count(),
        Outlet.objects.count(),
        SectionPage.objects.count(),
        StoryPage.objects.count(),
        Page.objects.count(),
    )
    assert counts[3] >= 60


def test_demo_refused_where_settings_forbid(settings):
    from django.core.management.base import CommandError

    settings.HOITU_ALLOW_DEMO = False
    with pytest.raises(CommandError, match="known password"):
        call_command("load_initial_data", verbosity=0)
