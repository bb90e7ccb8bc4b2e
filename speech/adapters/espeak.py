"""The offline fallback: Debian's espeak-ng with its Vietnamese voice (`-v vi`). No text
leaves the agency's servers, so paid text may always be read by it."""

import subprocess

from django.conf import settings

from aiservices import services as ai


class OfflineUnavailable(ai.PermanentProviderError):
    """espeak-ng is not installed on this worker."""


class EspeakTTS:
    limit = 4000
    suffix = ".wav"

    def synthesise(self, text: str, out_path: str) -> str:
        command = [
            settings.HOITU_SPEECH_ESPEAK,
            "-v",
            settings.HOITU_SPEECH_ESPEAK_VOICE,
            "-s",
            str(settings.HOITU_SPEECH_ESPEAK_SPEED),
            "-w",
            out_path,
            "--stdin",
        ]
        try:
            subprocess.run(
                command,
                input=text.encode("utf-8"),
                capture_output=True,
                check=True,
                timeout=settings.HOITU_SPEECH_ESPEAK_TIMEOUT,
            )
        except FileNotFoundError as exc:
            raise OfflineUnavailable("espeak-ng is not installed") from exc
        except subprocess.TimeoutExpired as exc:
            raise ai.TransientProviderError("espeak-ng timed out") from exc
        except subprocess.CalledProcessError as exc:
            detail = exc.stderr.decode("utf-8", "replace")[:300]
            raise ai.PermanentProviderError(f"espeak-ng failed: {detail}") from exc
        return out_path
