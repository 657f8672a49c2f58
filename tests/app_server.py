"""The app in a process of its own, for the tests that need a real server: browsers, a database
restart under load, two processes sharing one database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def app_server(
    env: dict[str, str],
    log: Path,
    *serve_args: str,
    parley: Sequence[str] = (sys.executable, "-m", "app.cli"),
    cwd: Path | None = None,
    inherit_env: bool = True,
) -> Iterator[str]:
    """`parley serve SERVE_ARGS` on a free port with `env` added to the environment, its output
    in `log`; yields the base URL once /healthz answers, and stops the server afterwards.

    `parley` is the command to run (default: this checkout's, with this interpreter); `cwd` the
    directory to run it in; `inherit_env=False` starts from `env` alone."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [*parley, "serve", *serve_args, "--port", str(port)],
            env={**os.environ, **env} if inherit_env else env,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"the app did not start; see {log}") from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
