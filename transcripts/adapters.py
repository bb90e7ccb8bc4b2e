"""Speech-to-text adapters for the domestic providers, following their published APIs
(the contracts and where they come from: docs/transcripts.md).

Each adapter takes one chunk (16 kHz mono WAV, within the provider's limit) and returns
its segments with times in the CUT (the chunk's start added)."""

import logging
from dataclasses import dataclass

from aiservices import services as ai

from .audio import Chunk

logger = logging.getLogger(__name__)


@dataclass
class Heard:
    start: float
    end: float
    text: str


class Adapter:
    provider = ""
    default_endpoint = ""

    def __init__(self, account):
        self.account = account
        self.endpoint = account.endpoint or self.default_endpoint

    what = ""

    def transcribe(self, chunk: Chunk) -> list[Heard]:
        raise NotImplementedError

    def post(self, **kwargs):
        """POSTs to the account's endpoint; the answer's JSON (PermanentProviderError when
        it is not JSON)."""
        response = ai.http("POST", self.endpoint, what=self.what, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ai.PermanentProviderError(f"{self.what}: answer is not JSON") from exc


class FPTSpeechToText(Adapter):
    """FPT.AI Speech to Text: POST https://api.fpt.ai/hmi/asr/general, header `api_key`,
    the audio file as the request body. Answer: {"status": 0, "hypotheses":
    [{"utterance": "..."}], "id": "..."}; status 1 = no voice, 2 = cancelled, 9 = busy.
    No timings: one segment per chunk (hence short chunks)."""

    provider = ai.Provider.FPT
    default_endpoint = "https://api.fpt.ai/hmi/asr/general"

    what = "FPT.AI STT"

    def transcribe(self, chunk: Chunk) -> list[Heard]:
        what = self.what
        answer = self.post(
            headers={"api_key": self.account.api_key, "Content-Type": "audio/wav"},
            data=chunk.read(),
        )
        status = answer.get("status")
        if status == 1:  # no voice in this chunk (music, silence)
            return []
        if status == 9:
            raise ai.TransientProviderError(f"{what}: busy ({answer.get('message', '')})")
        if status != 0:
            raise ai.PermanentProviderError(
                f"{what}: status {status} {answer.get('message', '')}".strip()
            )
        text = " ".join(
            (h.get("utterance") or "").strip() for h in answer.get("hypotheses") or []
        ).strip()
        return [Heard(chunk.start, chunk.end, text)] if text else []


class ViettelSpeechToText(Adapter):
    """Viettel AI STT REST: POST https://viettelgroup.ai/voice/api/asr/v1/rest/decode_file,
    header `token`, multipart field `file` (wav/mp3). Answer: a list of segments
    [{"status": 0, "msg": "STATUS_SUCCESS", "segment": 0, "result": {"hypotheses":
    [{"transcript": ..., "transcript_normed": ..., "confidence": ...}], "final": true},
    "segment_start": 0.42, "segment_length": 3.87, "total_length": 3.87}]."""

    provider = ai.Provider.VIETTEL
    default_endpoint = "https://viettelgroup.ai/voice/api/asr/v1/rest/decode_file"

    what = "Viettel AI STT"

    def transcribe(self, chunk: Chunk) -> list[Heard]:
        what = self.what
        answer = self.post(
            headers={"token": self.account.api_key},
            files={"file": ("chunk.wav", chunk.read(), "audio/wav")},
        )
        if isinstance(answer, dict):  # an error answer is an object, not the list
            raise ai.PermanentProviderError(
                f"{what}: {answer.get('status', '')} {answer.get('msg') or answer.get('message') or answer}"
            )
        heard = []
        for part in answer:
            if part.get("status") != 0:
                raise ai.PermanentProviderError(
                    f"{what}: {part.get('status')} {part.get('msg', '')}"
                )
            hypotheses = (part.get("result") or {}).get("hypotheses") or []
            if not hypotheses:
                continue
            best = hypotheses[0]
            text = (best.get("transcript_normed") or best.get("transcript") or "").strip()
            if not text:
                continue
            start = chunk.start + float(part.get("segment_start") or 0)
            length = float(part.get("segment_length") or 0)
            end = min(start + length, chunk.end) if length else chunk.end
            heard.append(Heard(round(start, 3), round(end, 3), text))
        return heard


ADAPTERS = {a.provider: a for a in (FPTSpeechToText, ViettelSpeechToText)}


def adapter_for(account) -> Adapter:
    return ADAPTERS[account.provider](account)


def chunk_seconds(provider: str) -> float:
    from django.conf import settings

    return float(settings.TRANSCRIPTS_CHUNK_SECONDS.get(provider, 30))
