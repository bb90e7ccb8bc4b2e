"""The FPT.AI and Viettel AI adapters against imitation servers that follow the published
contracts: auth, request shape, FPT's async link that 404s until the file is ready,
refusals (401), rate limits (429), server errors (500) and timeouts."""

import pytest

from aiservices import services as ai
from aiservices.models import ProviderAccount
from speech.adapters import FptTTS, ViettelTTS

from .conftest import FPT_KEY, VIETTEL_TOKEN


def account(provider, providers, key):
    a = ProviderAccount(
        provider=provider,
        capability="tts",
        endpoint=(
            f"{providers.base}/hmi/tts/v5"
            if provider == "fpt"
            else f"{providers.base}/tts/speech_synthesis"
        ),
        voice="leminh" if provider == "fpt" else "hcm-diemmy",
    )
    a.set_credentials({"api_key": key})
    return a


def test_fpt_posts_the_text_and_polls_the_async_link_until_the_file_is_there(providers, tmp_path):
    providers.fpt_not_ready = 3
    out = FptTTS(account("fpt", providers, FPT_KEY)).synthesise(
        "Xin chào bạn đọc Báo Thanh Hóa.", str(tmp_path / "a.mp3")
    )
    assert open(out, "rb").read() == providers.audio
    [call] = providers.calls("fpt")
    assert call["text"] == "Xin chào bạn đọc Báo Thanh Hóa." and call["voice"] == "leminh"
    assert list(providers.polls.values()) == [4]  # 3 × 404, then the file


@pytest.mark.parametrize(
    "setup, error",
    [
        ({"key": "wrong-key"}, ai.PermanentProviderError),
        ({"fpt_status": 429}, ai.TransientProviderError),
        ({"fpt_status": 500}, ai.TransientProviderError),
        ({"fpt_error": 4}, ai.PermanentProviderError),  # {"error": 4, "message": ...}
        ({"fpt_not_ready": 10_000}, ai.TransientProviderError),  # never ready in time
        ({"slow": 3}, ai.TransientProviderError),  # no answer within the timeout
    ],
)
def test_fpt_failures(providers, tmp_path, settings, setup, error):
    settings.HOITU_SPEECH_FPT_MAX_WAIT = 0.5
    key = setup.pop("key", FPT_KEY)
    for name, value in setup.items():
        setattr(providers, name, value)
    with pytest.raises(error):
        FptTTS(account("fpt", providers, key)).synthesise("Một câu thử.", str(tmp_path / "a.mp3"))
    assert not (tmp_path / "a.mp3").exists()


def test_viettel_sends_json_with_token_voice_and_mp3_option(providers, tmp_path):
    out = ViettelTTS(account("viettel", providers, VIETTEL_TOKEN)).synthesise(
        "Chào buổi sáng.", str(tmp_path / "v.mp3")
    )
    assert open(out, "rb").read() == providers.audio
    [call] = providers.calls("viettel")
    assert call["data"]["token"] == VIETTEL_TOKEN
    assert call["data"]["voice"] == "hcm-diemmy" and call["data"]["tts_return_option"] == 3
    assert call["text"] == "Chào buổi sáng."


@pytest.mark.parametrize(
    "setup, error",
    [
        ({"key": "sai-token"}, ai.PermanentProviderError),
        ({"viettel_status": 429}, ai.TransientProviderError),
        ({"viettel_status": 500}, ai.TransientProviderError),
        ({"slow": 3}, ai.TransientProviderError),
    ],
)
def test_viettel_failures(providers, tmp_path, setup, error):
    key = setup.pop("key", VIETTEL_TOKEN)
    for name, value in setup.items():
        setattr(providers, name, value)
    with pytest.raises(error):
        ViettelTTS(account("viettel", providers, key)).synthesise(
            "Câu thử.", str(tmp_path / "v.mp3")
        )
