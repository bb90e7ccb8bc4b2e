import json
import re

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from referencing import Registry, Resource

from distribution.demo import DEMO_PARTNER_KEY
from distribution.models import PartnerKey, SharingPolicy
from newsroom.models import StoryPage
from paywall.gating import paid_blocks, public_text

from .conftest import schemas_dir

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def ninjs_validator():
    folder = schemas_dir() / "ninjs"
    schema = json.loads((folder / "ninjs-schema_2.2.json").read_text())
    geojson = json.loads((folder / "GeoJSON-schema.json").read_text())
    registry = Registry().with_resource(
        "https://geojson.org/schema/GeoJSON.json", Resource.from_contents(geojson)
    )
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


AUTH = {"HTTP_AUTHORIZATION": f"Bearer {DEMO_PARTNER_KEY}"}


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-key", "Bearer ", "Basic " + DEMO_PARTNER_KEY, DEMO_PARTNER_KEY],
)
@pytest.mark.parametrize(
    "url", ["/api/ninjs/v2/items/", "/api/ninjs/v2/items/{pk}/", "/api/newsml/{pk}.xml"]
)
def test_wrong_or_missing_key_is_401_with_nothing_leaked(client, demo, header, url):
    story = StoryPage.objects.live().first()
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get(url.format(pk=story.pk), **extra)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}
    assert story.title not in response.content.decode()


def test_revoked_key_is_refused(client, demo):
    PartnerKey.objects.update(active=False)
    assert client.get("/api/ninjs/v2/items/", **AUTH).status_code == 401


def test_ninjs_list_valid_and_paged(client, demo, ninjs_validator):
    response = client.get("/api/ninjs/v2/items/?page_size=20", **AUTH)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == StoryPage.objects.live().count()
    assert len(data["items"]) == 20 and data["next"]
    for item in data["items"]:
        ninjs_validator.validate(item)
    second = client.get(data["next"].split("testserver", 1)[1], **AUTH).json()
    assert {i["uri"] for i in second["items"]}.isdisjoint({i["uri"] for i in data["items"]})


def test_ninjs_since_filters_and_bad_params_are_400(client, demo):
    newest = StoryPage.objects.live().order_by("-last_published_at").first()
    since = newest.last_published_at.isoformat().replace("+00:00", "Z")
    assert client.get(f"/api/ninjs/v2/items/?since={since}", **AUTH).json()["count"] == 0
    response = client.get("/api/ninjs/v2/items/?since=hôm-qua", **AUTH)
    assert response.status_code == 400 and "since" in response.json()["error"]
    assert client.get("/api/ninjs/v2/items/?page=0", **AUTH).status_code == 400
    assert client.get("/api/ninjs/v2/items/?page_size=abc", **AUTH).status_code == 400


def test_paid_story_shares_only_its_preview(client, demo, ninjs_validator, newsml_schema):
    story = StoryPage.objects.live().filter(access_level="premium").first()
    item = client.get(f"/api/ninjs/v2/items/{story.pk}/", **AUTH).json()
    ninjs_validator.validate(item)
    assert item["representationtype"] == "partial"
    newsml = client.get(f"/api/newsml/{story.pk}.xml", **AUTH).content.decode()
    teaser = public_text(story)
    for block in paid_blocks(story):
        if block.block_type == "paragraph":
            text = re.sub("<[^>]+>", "", block.value.source)[:60]
            if text not in teaser:
                assert text not in json.dumps(item, ensure_ascii=False)
                assert text not in newsml


def test_newsml_valid_against_the_235_schema(client, demo, newsml_schema):
    for story in StoryPage.objects.live()[:5]:
        response = client.get(f"/api/newsml/{story.pk}.xml", **AUTH)
        assert response.status_code == 200
        newsml_schema.validate(response.content.decode())
        assert story.title in response.content.decode()


def test_agency_that_does_not_share_is_invisible(client, demo):
    SharingPolicy.objects.filter(agency__slug="vannghe").update(share_stories=False)
    story = StoryPage.objects.live().filter(url_path__startswith="/vannghe/").first()
    assert client.get(f"/api/ninjs/v2/items/{story.pk}/", **AUTH).status_code == 404
    assert client.get(f"/api/newsml/{story.pk}.xml", **AUTH).status_code == 404
    uris = {
        i["uri"] for i in client.get("/api/ninjs/v2/items/?page_size=200", **AUTH).json()["items"]
    }
    assert f"urn:hoitu:story:{story.pk}" not in uris


def test_unpublished_story_is_not_shared(client, demo):
    story = StoryPage.objects.live().first()
    story.unpublish()
    assert client.get(f"/api/ninjs/v2/items/{story.pk}/", **AUTH).status_code == 404


def test_policy_can_withhold_paid_stories_entirely(client, demo):
    SharingPolicy.objects.update(share_paid_teasers=False)
    paid = StoryPage.objects.live().exclude(access_level="free").first()
    assert client.get(f"/api/ninjs/v2/items/{paid.pk}/", **AUTH).status_code == 404
    data = client.get("/api/ninjs/v2/items/?page_size=200", **AUTH).json()
    assert data["count"] == StoryPage.objects.live().filter(access_level="free").count()


def test_ninjs_list_reads_a_page_in_the_same_number_of_queries_at_any_size(client, demo):
    """The stories' bylines, tags, images, sections and outlets are fetched per page, not
    per story (renditions made by a first call, so both calls only read)."""
    client.get("/api/ninjs/v2/items/?page_size=60", **AUTH)
    counts = []
    for size in (20, 60):  # both pages hold stories with a place, a video and tags
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/ninjs/v2/items/?page_size={size}", **AUTH).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_vendored_schemas_work_offline(newsml_schema):
    """The vendored XSD reads its import beside it and accepts IPTC's own example item; an
    item it cannot accept is refused (so the validation above can fail)."""
    example = schemas_dir() / "newsml-g2" / "example-news-item.xml"
    newsml_schema.validate(str(example))
    broken = example.read_text().replace("<itemMeta>", "<itemMeta><bogus/>", 1)
    assert not newsml_schema.is_valid(broken)
