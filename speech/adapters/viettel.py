"""Viettel AI Text to Speech (https://viettelai.vn, "speech_synthesis"):

    POST https://viettelai.vn/tts/speech_synthesis
    JSON: {"text": ..., "voice": "hn-quynhanh", "speed": 1.0, "tts_return_option": 3,
           "token": "<the account's token>", "without_filter": false}
    → the audio itself (tts_return_option 3 = MP3, 2 = WAV); a refusal answers JSON
      with a message and a code.

We keep each request to 1,000 characters, well within what the service accepts."""

from django.conf import settings

from aiservices import services as ai

DEFAULT_ENDPOINT = "https://viettelai.vn/tts/speech_synthesis"
DEFAULT_VOICE = "hn-quynhanh"
RETURN_MP3 = 3


class ViettelTTS:
    limit = 1000
    suffix = ".mp3"

    def __init__(self, account):
        self.account = account
        self.endpoint = account.endpoint or DEFAULT_ENDPOINT

    def synthesise(self, text: str, out_path: str) -> str:
        token = self.account.api_key
        if not token:
            raise ai.PermanentProviderError("Viettel AI: tài khoản chưa có token")
        response = ai.http(
            "POST",
            self.endpoint,
            what="Viettel AI TTS",
            timeout=settings.HOITU_SPEECH_HTTP_TIMEOUT,
            json={
                "text": text,
                "voice": self.account.voice or DEFAULT_VOICE,
                "speed": 1.0,
                "tts_return_option": RETURN_MP3,
                "token": token,
                "without_filter": False,
            },
            headers={"Accept": "*/*"},
        )
        kind = response.headers.get("Content-Type", "")
        if "json" in kind or "text/" in kind or not response.content:
            detail = response.text[:300] if response.content else "empty answer"
            raise ai.PermanentProviderError(f"Viettel AI TTS refused: {detail}")
        with open(out_path, "wb") as handle:
            handle.write(response.content)
        return out_path
