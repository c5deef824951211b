"""A GTFS-Realtime server for the tests, on loopback: TripUpdates and Alerts as protobuf built with
the same `gtfs-realtime-bindings` the backend decodes with.

The test says what each path answers: a FeedMessage (`trip_updates(...)`, `alerts(...)` with the
entity helpers below), raw bytes (a broken answer), or an HTTP status. Every request is recorded
with its headers, so a test can check the API-key header and the fetch rate.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.transit import gtfs_realtime_pb2 as pb

TRIP_UPDATES, ALERTS = "/trip-updates", "/alerts"


@dataclass
class Answer:
    body: bytes | Callable[[], bytes] = b""  # a callable is asked at each request (a fresh header)
    status: int = 200
    content_type: str = "application/x-protobuf"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when it came in


def message(header_at: dt.datetime, entities: list[pb.FeedEntity]) -> bytes:
    """A FeedMessage (full dataset) with the header timestamp `header_at`."""
    m = pb.FeedMessage()
    m.header.gtfs_realtime_version = "2.0"
    m.header.incrementality = pb.FeedHeader.FULL_DATASET
    m.header.timestamp = int(header_at.timestamp())
    for n, entity in enumerate(entities):
        entity.id = entity.id or f"e{n}"
        m.entity.append(entity)
    return m.SerializeToString()


def _update(trip_id: str, start_date: dt.date | None) -> pb.FeedEntity:
    e = pb.FeedEntity()
    e.trip_update.trip.trip_id = trip_id
    if start_date is not None:
        e.trip_update.trip.start_date = start_date.strftime("%Y%m%d")
    return e


def delayed(trip_id: str, start_date: dt.date | None, stop_id: str, seconds: int, *,
            arrival: bool = False) -> pb.FeedEntity:
    """The trip runs `seconds` late from `stop_id` on (a departure delay; also the arrival's with `arrival`)."""
    e = _update(trip_id, start_date)
    s = e.trip_update.stop_time_update.add()
    s.stop_id = stop_id
    s.departure.delay = seconds
    if arrival:
        s.arrival.delay = seconds
    return e


def cancelled(trip_id: str, start_date: dt.date | None) -> pb.FeedEntity:
    e = _update(trip_id, start_date)
    e.trip_update.trip.schedule_relationship = pb.TripDescriptor.CANCELED
    return e


def skipped(trip_id: str, start_date: dt.date | None, stop_id: str) -> pb.FeedEntity:
    """The trip passes `stop_id` without stopping."""
    e = _update(trip_id, start_date)
    s = e.trip_update.stop_time_update.add()
    s.stop_id = stop_id
    s.schedule_relationship = pb.TripUpdate.StopTimeUpdate.SKIPPED
    return e


def alert(alert_id: str, texts: dict[str, tuple[str, str]], *, route_id: str = "", stop_id: str = "",
          start: dt.datetime | None = None, end: dt.datetime | None = None) -> pb.FeedEntity:
    """A service alert about a route and/or a stop; `texts`: language -> (header, description)."""
    e = pb.FeedEntity()
    e.id = alert_id
    a = e.alert
    if start is not None or end is not None:
        period = a.active_period.add()
        if start is not None:
            period.start = int(start.timestamp())
        if end is not None:
            period.end = int(end.timestamp())
    selector = a.informed_entity.add()
    if route_id:
        selector.route_id = route_id
    if stop_id:
        selector.stop_id = stop_id
    a.effect = pb.Alert.DETOUR
    for language, (header, description) in texts.items():
        h = a.header_text.translation.add()
        h.text, h.language = header, language
        d = a.description_text.translation.add()
        d.text, d.language = description, language
    return e


class GtfsRealtimeServer:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {TRIP_UPDATES: Answer(status=404), ALERTS: Answer(status=404)}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(Request(path, {k.lower(): v for k, v in self.headers.items()},
                                                   time.monotonic()))
                    answer = server.answers.get(path, Answer(status=404))
                body = answer.body() if callable(answer.body) else answer.body
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> "GtfsRealtimeServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def serve(self, path: str, body, status: int = 200, content_type: str = "application/x-protobuf") -> None:
        with self._lock:
            self.answers[path] = Answer(body, status, content_type)

    def trip_updates(self, header_at, *entities: pb.FeedEntity) -> None:
        """Serve these trip updates; `header_at` is an instant, or a callable giving one per request."""
        self.serve(TRIP_UPDATES, self._builder(header_at, entities))

    def alerts(self, header_at, *entities: pb.FeedEntity) -> None:
        self.serve(ALERTS, self._builder(header_at, entities))

    @staticmethod
    def _builder(header_at, entities):
        if callable(header_at):
            return lambda: message(header_at(), list(entities))
        return message(header_at, list(entities))

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]
