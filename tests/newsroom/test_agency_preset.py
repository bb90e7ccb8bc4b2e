"""Staff of one agency find it already chosen on a new agency-scoped record, and a record
sent without an agency says so in Vietnamese (nothing saved)."""

import pytest
from django.contrib.auth import get_user_model

from newsroom.models import Agency, Assignment

pytestmark = pytest.mark.django_db

ADD = "/admin/snippets/newsroom/assignment/add/"


def test_new_assignment_starts_with_the_users_agency(client, demo):
    client.force_login(get_user_model().objects.get(username="thuky.baothanhhoa"))
    form = client.get(ADD).context["form"]
    assert form.initial["agency"] == Agency.objects.get(slug="baothanhhoa").pk


def test_superuser_of_every_agency_chooses_it(client, demo):
    client.force_login(get_user_model().objects.get(username="quantri"))
    assert "agency" not in client.get(ADD).context["form"].initial


def test_assignment_without_agency_is_refused_in_vietnamese(client, demo):
    client.force_login(get_user_model().objects.get(username="thuky.baothanhhoa"))
    before = Assignment.objects.count()
    response = client.post(ADD, {"title": "Bài không cơ quan", "formats": ["text"]})
    assert response.status_code == 200
    assert "Hãy chọn cơ quan báo chí." in response.content.decode()
    assert Assignment.objects.count() == before
