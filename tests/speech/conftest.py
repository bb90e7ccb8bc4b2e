"""Fixtures of "Nghe bài viết": an imitation of FPT.AI TTS v5 and Viettel AI TTS on
127.0.0.1 following their published contracts (docs/speech.md), real espeak-ng and
ffmpeg, and a free text story of Báo Thanh Hóa."""

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aiservices.models import AIPolicy, ProviderAccount
from newsroom.models import Agency, StoryPage
from paywall.access import AccessLevel

FPT_KEY = "fpt-khoa-thu-123456"
VIETTEL_TOKEN = "viettel-token-abcdef"

BODY = [
    (
        "paragraph",
        "<p>Sáng 28/11/2026, UBND TP. Thanh Hóa tổ chức lễ khánh thành cầu Nguyệt Viên mới "
        "bắc qua sông Mã, tổng vốn đầu tư 1.250.000 triệu đồng.</p>",
    ),
    (
        "paragraph",
        "<p>Cây cầu dài 1,2 km, rút ngắn thời gian đi lại giữa trung tâm thành phố và các "
        "xã phía bắc. Tỷ lệ người dân hài lòng đạt 95%.</p>",
    ),
]


@pytest.fixture(scope="session")
def mp3_bytes(tmp_path_factory) -> bytes:
    """A real MP3 of speech-like sound, as a provider would answer (1.5 s)."""
    path = tmp_path_factory.mktemp("tts") / "answer.mp3"
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", "sine=frequency=220:duration=1.5", "-ac", "1", "-b:a", "64k", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path.read_bytes()


class Imitation:
    """What the providers do, tuned per test: `fpt_status` / `viettel_status` (200 or an
    error status), `fpt_not_ready` (how many polls of the async link answer 404 first),
    `slow` (seconds before answering)."""

    def __init__(self, audio: bytes):
        self.audio = audio
        self.fpt_status = 200
        self.fpt_error = 0
        self.fpt_not_ready = 2
        self.viettel_status = 200
        self.viettel_garbage = False
        self.slow = 0.0
        self.requests: list[dict] = []
        self.polls: dict[str, int] = {}
        self.base = ""

    def calls(self, provider):
        return [r for r in self.requests if r["provider"] == provider]


def _handler(imitation: Imitation):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status, body: bytes, kind="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(imitation.slow)
            if self.path == "/hmi/tts/v5":
                self._fpt(body)
            elif self.path == "/tts/speech_synthesis":
                self._viettel(body)
            else:
                self._answer(404, b"{}")

        def _fpt(self, body):
            text = body.decode("utf-8")
            imitation.requests.append(
                {"provider": "fpt", "text": text, "voice": self.headers.get("voice")}
            )
            if self.headers.get("api-key") != FPT_KEY:
                return self._answer(
                    401, json.dumps({"error": 401, "message": "Invalid API key"}).encode()
                )
            if imitation.fpt_status != 200:
                return self._answer(imitation.fpt_status, b'{"message": "busy"}')
            if not 3 <= len(text) <= 5000:
                return self._answer(
                    200, json.dumps({"error": 1, "message": "Text length"}).encode()
                )
            if imitation.fpt_error:
                return self._answer(
                    200,
                    json.dumps(
                        {"error": imitation.fpt_error, "message": "Quota exceeded"}
                    ).encode(),
                )
            name = f"f{len(imitation.requests)}"
            imitation.polls[name] = 0
            answer = {
                "async": f"{imitation.base}/text2speech-v5/short/{name}.mp3",
                "error": 0,
                "message": "The content will be returned after a few seconds under the async link.",
                "request_id": name,
            }
            self._answer(200, json.dumps(answer).encode())

        def _viettel(self, body):
            try:
                data = json.loads(body)
            except ValueError:
                return self._answer(400, '{"code": 400, "vi_message": "Sai định dạng"}'.encode())
            imitation.requests.append(
                {
                    "provider": "viettel",
                    "text": data.get("text", ""),
                    "voice": data.get("voice"),
                    "data": data,
                }
            )
            if data.get("token") != VIETTEL_TOKEN:
                return self._answer(
                    401, json.dumps({"code": 401, "vi_message": "Token không hợp lệ"}).encode()
                )
            if imitation.viettel_status != 200:
                return self._answer(imitation.viettel_status, b'{"code": 500}')
            if data.get("tts_return_option") != 3 or not data.get("text"):
                return self._answer(200, b'{"code": 400, "vi_message": "Tham so sai"}')
            if imitation.viettel_garbage:
                return self._answer(200, b"<html>not audio</html>" * 20, "audio/mpeg")
            self._answer(200, imitation.audio, "audio/mpeg")

        def do_GET(self):
            name = self.path.rsplit("/", 1)[-1].removesuffix(".mp3")
            if name not in imitation.polls:
                return self._answer(404, b"Not Found", "text/plain")
            imitation.polls[name] += 1
            if imitation.polls[name] <= imitation.fpt_not_ready:
                return self._answer(
                    404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml"
                )
            self._answer(200, imitation.audio, "audio/mpeg")

    return Handler


@pytest.fixture
def providers(mp3_bytes):
    imitation = Imitation(mp3_bytes)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(imitation))
    imitation.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield imitation
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _speech_settings(settings, tmp_path):
    settings.HOITU_SPEECH_AUTO = True
    settings.HOITU_SPEECH_FPT_POLL_SECONDS = 0.05
    settings.HOITU_SPEECH_FPT_MAX_WAIT = 5
    settings.HOITU_SPEECH_HTTP_TIMEOUT = 2


@pytest.fixture
def bao(demo):
    return Agency.objects.filter(roles__group__user__username="tongbientap.baothanhhoa").get()


def add_account(agency, provider, *, base, priority=10, key=None):
    account = ProviderAccount(
        agency=agency,
        provider=provider,
        capability="tts",
        priority=priority,
        endpoint=f"{base}/hmi/tts/v5" if provider == "fpt" else f"{base}/tts/speech_synthesis",
        voice="banmai" if provider == "fpt" else "hn-quynhanh",
    )
    account.set_credentials({"api_key": key or (FPT_KEY if provider == "fpt" else VIETTEL_TOKEN)})
    account.save()
    return account


def set_policy(agency, **fields):
    AIPolicy.objects.update_or_create(agency=agency, defaults=fields)


@pytest.fixture
def text_story(bao):
    """A live free text story of Báo Thanh Hóa, not yet read aloud."""
    story = (
        StoryPage.objects.live()
        .filter(
            access_level=AccessLevel.FREE,
            primary_format="text",
            path__startswith=bao.outlets.first().site.root_page.path,
        )
        .first()
    )
    assert story is not None
    story.title = "Khánh thành cầu Nguyệt Viên mới bắc qua sông Mã"
    story.standfirst = "Cây cầu nối trung tâm TP. Thanh Hóa với các xã phía bắc."
    story.body = BODY
    return story


def publish(story, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = story.save_revision()
        revision.publish()
    story.refresh_from_db()
    return revision
