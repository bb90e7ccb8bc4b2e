"""FPT.AI Text to Speech v5 (https://docs.fpt.ai/docs/en/speech/api/text-to-speech):

    POST https://api.fpt.ai/hmi/tts/v5
    headers: api-key (the console's key), voice (banmai, leminh, …), speed (-3…3), format
    body: the text itself, UTF-8, 3 to 5,000 characters
    → {"async": "<URL of the mp3>", "error": 0, "message": "...", "request_id": "..."}

The file at `async` does not exist yet when the answer comes (5 s to 2 min, says FPT): it
is fetched until it answers 200; 404/403 mean "not yet"."""

import time

from django.conf import settings

from aiservices import services as ai

DEFAULT_ENDPOINT = "https://api.fpt.ai/hmi/tts/v5"
DEFAULT_VOICE = "banmai"
NOT_YET = {403, 404}


class FptTTS:
    limit = 5000
    suffix = ".mp3"

    def __init__(self, account):
        self.account = account
        self.endpoint = account.endpoint or DEFAULT_ENDPOINT

    def synthesise(self, text: str, out_path: str) -> str:
        key = self.account.api_key
        if not key:
            raise ai.PermanentProviderError("FPT.AI: tài khoản chưa có khóa API")
        response = ai.http(
            "POST",
            self.endpoint,
            what="FPT.AI TTS",
            timeout=settings.HOITU_SPEECH_HTTP_TIMEOUT,
            data=text.encode("utf-8"),
            headers={
                "api-key": key,
                "voice": self.account.voice or DEFAULT_VOICE,
                "speed": "0",
                "format": "mp3",
                "Content-Type": "text/plain; charset=utf-8",
            },
        )
        try:
            answer = response.json()
        except ValueError as exc:
            raise ai.TransientProviderError("FPT.AI TTS: answer is not JSON") from exc
        if answer.get("error") not in (0, "0") or not answer.get("async"):
            raise ai.PermanentProviderError(
                f"FPT.AI TTS refused: {answer.get('message') or answer.get('error')}"
            )
        return self._fetch(answer["async"], out_path)

    def _fetch(self, url: str, out_path: str) -> str:
        deadline = time.monotonic() + settings.HOITU_SPEECH_FPT_MAX_WAIT
        while True:
            response = ai.fetch(
                "GET", url, what="FPT.AI TTS file", timeout=settings.HOITU_SPEECH_HTTP_TIMEOUT
            )
            if response.status_code == 200 and response.content:
                with open(out_path, "wb") as handle:
                    handle.write(response.content)
                return out_path
            if response.status_code not in NOT_YET and response.status_code != 200:
                raise ai.TransientProviderError(f"FPT.AI TTS file: HTTP {response.status_code}")
            if time.monotonic() >= deadline:
                raise ai.TransientProviderError(
                    f"FPT.AI TTS file not ready after {settings.HOITU_SPEECH_FPT_MAX_WAIT:.0f} s"
                )
            time.sleep(settings.HOITU_SPEECH_FPT_POLL_SECONDS)
