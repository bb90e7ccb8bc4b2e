"""Imitation speech-to-text providers on 127.0.0.1, following the published contracts
(docs/transcripts.md): FPT.AI `POST /hmi/asr/general` (header `api_key`, the audio as the
body) and Viettel AI `POST /voice/api/asr/v1/rest/decode_file` (header `token`, multipart
field `file`). They cannot hear: they answer the scripted Vietnamese sentences in order,
but every timing they give is computed from the WAV they received, so wrong audio (not
16 kHz mono, wrong length) shows in the tests."""

import io
import json
import threading
import wave
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FPT_PATH = "/hmi/asr/general"
VIETTEL_PATH = "/voice/api/asr/v1/rest/decode_file"

SENTENCES = [
    "thưa quý vị đây là chương trình thời sự của đài phát thanh và truyền hình thanh hóa",
    "sáng nay huyện nga sơn ra quân thu hoạch lúa chiêm xuân",
    "năng suất ước đạt sáu mươi hai tạ một héc ta",
    "bà con nông dân phấn khởi vì được mùa được giá",
    "tiếp theo là bản tin thời tiết",
    "xin cảm ơn quý vị đã theo dõi",
]


def wav_info(data: bytes) -> dict:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return {
            "rate": wav.getframerate(),
            "channels": wav.getnchannels(),
            "width": wav.getsampwidth(),
            "duration": wav.getnframes() / wav.getframerate(),
        }


class FakeSTT:
    """Both providers on one server. `mode`: "ok", "busy" (FPT status 9), "down" (HTTP
    503), "garbage" (HTTP 200, not JSON)."""

    def __init__(self, *, fpt_key="fpt-test-key", viettel_token="viettel-test-token"):
        self.fpt_key = fpt_key
        self.viettel_token = viettel_token
        self.mode = "ok"
        self.requests = []  # {"provider", "auth_ok", "wav"}
        self._count = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, payload):
                body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == FPT_PATH:
                    fake._fpt(self, data)
                elif self.path.split("?")[0] == VIETTEL_PATH:
                    fake._viettel(self, data)
                else:
                    self._answer(404, {"message": "Not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _next_sentence(self) -> str:
        sentence = SENTENCES[self._count % len(SENTENCES)]
        self._count += 1
        return sentence

    def _fail(self, handler) -> bool:
        if self.mode == "down":
            handler._answer(503, {"message": "Service Unavailable"})
            return True
        if self.mode == "garbage":
            handler._answer(200, b"<html>gateway</html>")
            return True
        return False

    def _fpt(self, handler, data):
        ok = handler.headers.get("api_key") == self.fpt_key
        info = wav_info(data) if ok else None
        self.requests.append({"provider": "fpt", "auth_ok": ok, "wav": info})
        if not ok:
            handler._answer(401, {"message": "Invalid API key"})
            return
        if self._fail(handler):
            return
        if self.mode == "busy":
            handler._answer(200, {"status": 9, "message": "Not available.", "id": "busy-1"})
            return
        handler._answer(
            200,
            {
                "status": 0,
                "hypotheses": [{"utterance": self._next_sentence()}],
                "id": f"fpt-{len(self.requests)}",
            },
        )

    def _viettel(self, handler, data):
        ok = handler.headers.get("token") == self.viettel_token
        audio = None
        if ok:
            message = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + handler.headers["Content-Type"].encode() + b"\r\n\r\n" + data
            )
            for part in message.iter_parts():
                if part.get_param("name", header="content-disposition") == "file":
                    audio = part.get_payload(decode=True)
        info = wav_info(audio) if audio else None
        self.requests.append({"provider": "viettel", "auth_ok": ok, "wav": info})
        if not ok:
            handler._answer(401, {"status": 401, "msg": "Unauthorized"})
            return
        if audio is None:
            handler._answer(400, {"status": 400, "msg": "Missing file"})
            return
        if self._fail(handler):
            return
        total = info["duration"]
        # Two utterances per chunk: [0.1, half - 0.1] and [half, total - 0.1].
        half = round(total / 2, 3)
        parts = [(0.1, half - 0.2), (half, total - half - 0.1)]
        answer = []
        for i, (start, length) in enumerate(parts):
            sentence = self._next_sentence()
            answer.append(
                {
                    "status": 0,
                    "msg": "STATUS_SUCCESS",
                    "segment": i,
                    "result": {
                        "hypotheses": [
                            {
                                "transcript": sentence,
                                "transcript_normed": sentence,
                                "confidence": 0.87,
                                "likelihood": 160.2,
                            }
                        ],
                        "final": True,
                    },
                    "segment_start": round(start, 3),
                    "segment_length": round(length, 3),
                    "total_length": round(total, 3),
                }
            )
        handler._answer(200, answer)
