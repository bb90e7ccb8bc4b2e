"""The reader's player and who may fetch the audio: a free story's audio is public; a paid
story's only through links signed for an entitled reader, never at its storage address;
staff see the state and may ask for it again ("Làm lại"), in their own agency only."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.test import Client

from audit.models import AuditEntry
from speech.access import link_token
from speech.models import ListenState, StoryAudio
from speech.services import story_audio_retire
from tests.paywall.conftest import BROWSER_UA

from .conftest import publish, set_policy

pytestmark = pytest.mark.django_db

SPEECH_ADDRESS = re.compile(r"/nghe-bai-viet/|speech/")


def reader(username=None):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def get(client, story, url=None):
    return client.get(url or story.get_url_parts()[2], HTTP_HOST=story.get_site().hostname)


def gate(name):
    return reader().get("/_media-gate/", HTTP_X_ORIGINAL_URI=f"/media/{name}")


def test_free_story_player_is_labelled_lazy_and_public(
    text_story, django_capture_on_commit_callbacks
):
    publish(text_story, django_capture_on_commit_callbacks)
    audio = StoryAudio.objects.get(story=text_story)
    html = get(reader(), text_story).content.decode()
    player = re.search(r"<section class=\"listen\".*?</section>", html, re.S).group(0)
    assert ">Nghe bài viết</h2>" in player
    assert 'preload="none"' in player and "controls" in player and "autoplay" not in player
    assert f'aria-labelledby="listen-heading-{text_story.pk}"' in player
    assert default_storage.url(audio.mp3.name) in player
    assert gate(audio.mp3.name).status_code == 204

    # The page reads the ready audio through the fragment cache: retiring it (as a
    # takedown's task does, the page itself not saved) leaves the page at once.
    story_audio_retire(text_story.pk, reason="Thử gỡ bản nghe.")
    assert "Nghe bài viết" not in get(reader(), text_story).content.decode()


def test_story_without_ready_audio_shows_no_player(text_story, settings):
    settings.HOITU_SPEECH_AUTO = False
    html = get(reader(), text_story).content.decode()
    assert "Nghe bài viết" not in html


@pytest.fixture
def paid_story(text_story, bao, django_capture_on_commit_callbacks):
    set_policy(bao, listen_to_paid=True)
    text_story.access_level = "premium"
    publish(text_story, django_capture_on_commit_callbacks)
    audio = StoryAudio.objects.get(story=text_story)
    assert audio.state == ListenState.READY and audio.paid
    return text_story


def test_paid_audio_only_for_the_subscriber_through_a_signed_link(paid_story):
    audio = StoryAudio.objects.get(story=paid_story)
    for client in (reader(), reader("docgia.mienphi")):
        html = get(client, paid_story).content.decode()
        assert "paywall-wall" in html and "<audio" not in html
        assert not SPEECH_ADDRESS.search(html)
        assert "Bản nghe của bài này dành cho bạn đọc có quyền đọc toàn bài." in html
    subscriber = reader("docgia.thuebao")
    html = get(subscriber, paid_story).content.decode()
    links = re.findall(r'<source src="(/nghe-bai-viet/[^"]+)"', html)
    assert len(links) == 2
    response = get(subscriber, paid_story, links[0])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == default_storage.open(audio.aac.name).read()
    assert "private" in response["Cache-Control"]
    # The same link for anyone else, or altered, or for another file: refused.
    assert get(reader(), paid_story, links[0]).status_code == 403
    assert get(reader("docgia.mienphi"), paid_story, links[0]).status_code == 403
    token = links[0].split("/")[2]
    assert (
        get(subscriber, paid_story, links[0].replace(token, token[:-2] + "xx")).status_code == 403
    )
    assert get(subscriber, paid_story, f"/nghe-bai-viet/{token}/speech/khac.mp3").status_code == 404
    # A link signed for the anonymous reader does not pass the gate either.
    anonymous = f"/nghe-bai-viet/{link_token(paid_story, None)}/{audio.mp3.name}"
    assert get(reader(), paid_story, anonymous).status_code == 403
    # The storage address is refused (nginx asks the gate; development's /media/ too).
    assert gate(audio.mp3.name).status_code == 403 and gate(audio.aac.name).status_code == 403
    assert gate(f"speech/{paid_story.pk}/doan-thu.mp3").status_code == 403


def test_staff_see_the_state_and_remake_it_in_their_own_agency_only(
    client, text_story, django_capture_on_commit_callbacks, settings
):
    settings.HOITU_SPEECH_ESPEAK = "/nonexistent/espeak-ng"
    publish(text_story, django_capture_on_commit_callbacks)
    users = get_user_model().objects
    client.force_login(users.get(username="bientap.baothanhhoa"))
    html = client.get("/admin/nghe-bai-viet/").content.decode()
    assert text_story.title in html and 'data-speech-state="failed"' in html
    assert "máy chủ chưa cài espeak-ng" in html and "Chưa cấu hình" in html
    edit = client.get(f"/admin/pages/{text_story.pk}/edit/").content.decode()
    assert "Bản nghe: Lỗi" in edit
    # Another agency's editor neither sees it nor may remake it.
    other = Client()
    other.force_login(users.get(username="tongbientap.ptth"))
    assert text_story.title not in other.get("/admin/nghe-bai-viet/").content.decode()
    assert other.post(f"/admin/nghe-bai-viet/{text_story.pk}/lam-lai/").status_code == 404
    # A reader may not see the list at all.
    assert reader("docgia.thuebao").get("/admin/nghe-bai-viet/").status_code in (302, 403)
    # Fixed (espeak installed): "Làm lại" makes it, for whoever may publish the story
    # (the desk editor may not: nothing changes).
    settings.HOITU_SPEECH_ESPEAK = "espeak-ng"
    client.post(f"/admin/nghe-bai-viet/{text_story.pk}/lam-lai/")
    assert StoryAudio.objects.get(story=text_story).state == ListenState.FAILED
    client.force_login(users.get(username="tongbientap.baothanhhoa"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/nghe-bai-viet/{text_story.pk}/lam-lai/")
    assert response.status_code == 302 and response["Location"] == "/admin/nghe-bai-viet/"
    remade = StoryAudio.objects.get(story=text_story)
    assert remade.state == ListenState.READY, remade.reason
    assert AuditEntry.objects.filter(action="speech.redo", object_id=str(text_story.pk)).exists()
    html = client.get(f"/admin/nghe-bai-viet/?trang={text_story.pk}").content.decode()
    assert 'data-speech-state="ready"' in html and "Ngoại tuyến (espeak-ng)" in html
    # GET is not an action.
    assert client.get(f"/admin/nghe-bai-viet/{text_story.pk}/lam-lai/").status_code == 405
