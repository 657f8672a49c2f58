"""A real local webhook receiver: an http.server in a thread that checks Standard Webhooks
signatures, honours the idempotency key (webhook-id), and can hold or refuse requests."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    secret: str
    requests: int = 0
    bad_signatures: int = 0
    ids: Counter[str] = field(default_factory=Counter)
    # webhook-ids to answer 503 on their first request (a retry follows).
    refuse_first: set[str] = field(default_factory=set)
    # Hold the first request until `release` is set (the worker is killed meanwhile).
    hold_first: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse_count: int = 0

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.ids.values())


@contextmanager
def receiver(secret: str, **options: object) -> Iterator[tuple[str, Received]]:
    got = Received(secret=secret, **options)  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            try:
                Webhook(got.secret).verify(body.decode(), dict(self.headers.items()))
            except Exception:
                with got.lock:
                    got.bad_signatures += 1
                self.send_response(400)
                self.end_headers()
                return
            key = self.headers["webhook-id"]
            with got.lock:
                got.requests += 1
                first_ever = got.requests == 1
                refuse = key in got.refuse_first
                got.refuse_first.discard(key)
            if first_ever and got.hold_first:
                got.ids[key] += 1  # received and processed; the answer never gets back
                got.holding.set()
                got.release.wait(30)
            elif refuse:
                with got.lock:
                    got.refuse_count += 1
                self.send_response(503)
                self.end_headers()
                return
            else:
                with got.lock:
                    got.ids[key] += 1
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        got.release.set()
        server.shutdown()
        server.server_close()
