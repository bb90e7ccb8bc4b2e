"""Text-to-speech engines: domestic providers (FPT.AI, Viettel AI) reached over HTTP as
they publish their APIs, and the offline espeak-ng Vietnamese voice (docs/speech.md).

Each engine writes ONE chunk of text (at most `limit` characters) to an audio file and
returns its path; errors are aiservices' ProviderError (Transient…/Permanent…)."""

from aiservices.models import Provider

from .espeak import EspeakTTS, OfflineUnavailable
from .fpt import FptTTS
from .viettel import ViettelTTS

__all__ = ["EspeakTTS", "FptTTS", "OfflineUnavailable", "ViettelTTS", "for_account"]

ADAPTERS = {Provider.FPT: FptTTS, Provider.VIETTEL: ViettelTTS}


def for_account(account):
    return ADAPTERS[account.provider](account)
