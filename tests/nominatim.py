"""A small Nominatim-compatible geocoder on loopback, for tests.

It answers `GET /search?q=...&format=json` the way nominatim.openstreetmap.org does (a JSON list of
places with string `lat`/`lon`, `display_name`, `boundingbox`, ...), and records every request
(time, query, User-Agent) so tests can check the client's manners: a real User-Agent and at most
one request per second. Known places are added with `add`; any other query finds nothing; a query
containing "kapot" gets a 500, like an overloaded server; "Coord <lat> <lon> ..." is found there.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Hit:
    at: float
    path: str
    query: str
    params: dict
    user_agent: str


class NominatimService:
    def __init__(self) -> None:
        self.places: dict[str, tuple[float, float, str]] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                query = params.get("q", "")
                with service.lock:
                    service.hits.append(Hit(time.monotonic(), parts.path, query, params,
                                            self.headers.get("User-Agent", "")))
                if parts.path != "/search" or params.get("format") != "json":
                    self._send(400, {"error": "bad request"})
                    return
                if "kapot" in query.lower():
                    self._send(500, {"error": "overloaded"})
                    return
                found = service.places.get(" ".join(query.lower().split()))
                at = re.match(r"^coord (-?\d+\.\d+) (-?\d+\.\d+)\b", query.lower())
                if found is None and at:  # "Coord 50.95 5.44 ...": a place anywhere, for tests
                    found = (float(at.group(1)), float(at.group(2)), query)
                if found is None:
                    self._send(200, [])
                    return
                lat, lon, name = found
                self._send(200, [{
                    "place_id": 1234567, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
                    "osm_type": "way", "osm_id": 7654321, "lat": f"{lat:.7f}", "lon": f"{lon:.7f}",
                    "class": "building", "type": "house", "place_rank": 30, "importance": 0.1,
                    "addresstype": "building", "name": "", "display_name": name,
                    "boundingbox": [f"{lat - 0.0001:.7f}", f"{lat + 0.0001:.7f}", f"{lon - 0.0001:.7f}",
                                    f"{lon + 0.0001:.7f}"],
                }])

            def _send(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, query: str, lat: float, lon: float, display_name: str) -> None:
        self.places[" ".join(query.lower().split())] = (lat, lon, display_name)

    def hits_for(self, query_part: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if query_part.lower() in h.query.lower()]

    def start(self) -> NominatimService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
