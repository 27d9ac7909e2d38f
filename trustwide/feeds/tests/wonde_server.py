"""A local stand-in for Wonde's API, served over real HTTP on 127.0.0.1 from recorded
responses (recorded/*.json, written from the response shapes docs.wonde.com documents).

The client under test talks to it exactly as to api.wonde.com: bearer token, `include` and
`per_page` on the first page, then the `meta.pagination.next` addresses (recorded with a
{BASE} placeholder that the server fills with its own address). Tests can make it refuse the
token (401), fail (500), answer garbage, or serve an edited copy of a response.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RECORDED = Path(__file__).parent / "recorded"
SCHOOL_ID = "A1930499544"
TOKEN = "wonde-test-token-7e76896f9aca62569048c667db292d72"

ROUTES = {
    ("students", None): "students-1.json",
    ("students", "2"): "students-2.json",
    ("attendance/session", None): "attendance-1.json",
    ("attendance/session", "2"): "attendance-2.json",
    ("assessment/results", None): "results.json",
}


class LocalWonde:
    def __init__(self):
        self.token = TOKEN
        self.status: int | None = None  # force this HTTP status on every request
        self.garbage = False  # answer HTML instead of JSON
        self.edits: dict[str, callable] = {}  # recorded file -> function editing its JSON
        self.requests: list[dict] = []
        self.hits: Counter = Counter()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/v1.0/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def body_for(self, name: str) -> dict:
        text = (RECORDED / name).read_text(encoding="utf-8").replace("{BASE}", self.base)
        body = json.loads(text)
        if name in self.edits:
            body = self.edits[name](body)
        return body

    def _handler(self):
        wonde = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet test output
                pass

            def _send(self, status: int, payload: bytes, kind: str = "application/json"):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                wonde.requests.append(
                    {
                        "path": url.path,
                        "query": query,
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                prefix = f"/v1.0/schools/{SCHOOL_ID}/"
                what = url.path[len(prefix) :].rstrip("/") if url.path.startswith(prefix) else ""
                wonde.hits[what] += 1
                if self.headers.get("Authorization") != f"Bearer {wonde.token}":
                    return self._send(401, b'{"error": "invalid_token"}')
                if wonde.status:
                    return self._send(wonde.status, b'{"error": "server_error"}')
                if wonde.garbage:
                    return self._send(200, b"<html>Maintenance</html>", "text/html")
                name = ROUTES.get((what, (query.get("page") or [None])[0]))
                if name is None:
                    return self._send(404, b'{"error": "not_found"}')
                self._send(200, json.dumps(wonde.body_for(name)).encode())

        return Handler
