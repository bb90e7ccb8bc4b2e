"""Vietnamese names read family name first ("Trần Minh Anh"), in bylines and in the
admin alike, from Django's first_name (given name) and last_name (family name)."""

import pytest
from django.contrib.auth import get_user_model

from newsroom.models import StoryByline

pytestmark = pytest.mark.django_db


def test_full_name_puts_the_family_name_first(client, demo):
    reporter = get_user_model().objects.get(username="phongvien.baothanhhoa")
    assert (reporter.last_name, reporter.first_name) == ("Trần", "Minh Anh")
    assert reporter.get_full_name() == "Trần Minh Anh"
    byline = StoryByline.objects.filter(author=reporter, story__live=True).first()
    story = byline.story
    html = client.get(story.url, HTTP_HOST=story.get_site().hostname).content.decode()
    assert "Trần Minh Anh" in html and "Minh Anh Trần" not in html
    client.force_login(get_user_model().objects.get(username="tongbientap.baothanhhoa"))
    html = client.get(f"/admin/pages/{story.pk}/edit/").content.decode()
    assert "Minh Anh Trần" not in html
