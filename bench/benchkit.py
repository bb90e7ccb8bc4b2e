"""What the benchmarks under bench/ share: loopback ports, the processes they start, wrk.
Imported by the scripts beside it (run as `python bench/<script>.py`)."""

import argparse
import json
import re
import signal
import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on {port}")


def stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM to every process started, then waits (killing what does not stop)."""
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def wrk(url: str, *, seconds: int, connections: int, threads: int, extra=()) -> tuple[dict, str]:
    """Runs wrk with latency percentiles; returns (req/s, p50, p99, socket errors) and the
    raw output for what a Lua script printed."""
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
        + ["--latency", "--timeout", "10s", *extra, url],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"50%\s+([\d.]+\w+)", out).group(1),
        "p99": re.search(r"99%\s+([\d.]+\w+)", out).group(1),
        "errors": errors.group(1) if errors else "",
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }, out


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def errors_count(text: str) -> int:
    """wrk's 'connect 0, read 0, write 0, timeout 0' as one number."""
    return sum(int(n) for n in re.findall(r"\d+", text or ""))


STATUS_LUA = r"""
local paths = {%(paths)s}
local threads = {}
wrk.method = "%(method)s"
%(body)s
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; ok = 0; other = 0 end
function request()
  n = n + 1
  return wrk.format(nil, paths[n %% #paths + 1])
end
function response(status, headers, body)
  if status == %(ok)d then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, o = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("ok"); o = o + t:get("other") end
  io.write(string.format("OK %%d OTHER %%d\n", a, o))
end
"""


def status_lua(
    paths: list[str], *, method="GET", body: str = "", ok: int = 200, headers=None
) -> str:
    """A wrk script: `method` on the paths in turn (with `body` and `headers`), counting the
    answers with status `ok` and every other one (printed as `OK n OTHER m`)."""
    lines = [f"wrk.body = {json.dumps(body)}"] if body else []
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items()]
    return STATUS_LUA % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "method": method,
        "body": "\n".join(lines),
        "ok": ok,
    }


def status_counts(out: str) -> dict:
    ok, other = re.search(r"OK (\d+) OTHER (\d+)", out).groups()
    return {"ok": int(ok), "other": int(other)}


def load_arguments(description: str) -> argparse.ArgumentParser:
    """The load options every wrk benchmark takes (2 threads, 32 connections, 20 s)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    return parser
