"""What the benchmarks under bench/ share: loopback ports, the processes they start, wrk.
Imported by the scripts beside it (run as `python bench/<script>.py`)."""

import argparse
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
    }, out


def load_arguments(description: str) -> argparse.ArgumentParser:
    """The load options every wrk benchmark takes (2 threads, 32 connections, 20 s)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    return parser
