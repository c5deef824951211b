"""Settings, read once from the environment.

Every setting has a default that works on a laptop: an SQLite file in `./data`, secrets created
on first start and kept in the data directory (mode 0600).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _read_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """Return the secret kept in `path`, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    # O_EXCL: when two processes start at once, only one writes; the other reads its value.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    """Where the SQLite file and generated secrets live (`WERKMAAT_DATA_DIR`, default `./data`)."""

    database_url: str
    """`sqlite:///path/to/file.db` or `postgresql://user:pass@host:port/db` (`DATABASE_URL`)."""

    public_url: str
    """The address people open, used in invite links (`WERKMAAT_PUBLIC_URL`)."""

    secret_key: str
    """Signs CSRF tokens and keys invite-code hashes (`WERKMAAT_SECRET_KEY`, else generated)."""

    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    """Peers whose `X-Forwarded-For` is believed (`WERKMAAT_TRUSTED_PROXIES`, comma separated)."""

    login_slowdown_seconds: float = 0.25
    """Extra wait per recent failed sign-in, capped at 8 steps (`WERKMAAT_LOGIN_SLOWDOWN`)."""

    invite_days: int = 7
    """How long an invite link and code stay valid."""

    device_session_days: int = 180
    """A phone signed in by invite stays signed in this long from sign-in; then it needs a new invite."""

    password_session_hours: int = 12
    """A coach's or admin's session ends this long after sign-in at the latest (and after 2 h without
    a request, `backend.accounts.auth.PASSWORD_IDLE`)."""

    argon2_fast: bool = False
    """Cheaper argon2 parameters, for the test suite only (`WERKMAAT_ARGON2_FAST=1`)."""

    push_hosts: tuple[str, ...] = ()
    """Extra push service hosts (`WERKMAAT_PUSH_HOSTS`, e.g. `127.0.0.1:8765` for a local test
    service; plain http is then allowed on loopback only). Browsers' own services are always known."""

    vapid_subject: str = "mailto:support@werkmaat.invalid"
    """Contact for push services in the VAPID claims (`WERKMAAT_VAPID_SUBJECT`, mailto: or https:)."""

    scheduler: bool = True
    """Run reminder dispatch and other periodic jobs inside `werkmaat serve` (`WERKMAAT_SCHEDULER=off`
    when separate `werkmaat worker` processes do it)."""

    dispatch_interval: float = 5.0
    """Seconds between dispatcher ticks (`WERKMAAT_DISPATCH_INTERVAL`)."""

    late_after_seconds: float = 120.0
    """A push sent more than this long after its moment is recorded as late, with how late
    (`WERKMAAT_LATE_AFTER`)."""

    planning_interval: float = 120.0
    """Seconds between runs that turn upcoming shifts into automatic reminders
    (`WERKMAAT_PLANNING_INTERVAL`)."""

    delivery_lease_seconds: float = 60.0
    """How long a claimed delivery belongs to one process before another may take it over
    (`WERKMAAT_DELIVERY_LEASE`)."""

    geocoder: str = "nominatim"
    """geopy backend that turns addresses into coordinates (`WERKMAAT_GEOCODER`): `nominatim`, any
    name `geopy.geocoders.get_geocoder_for_service` knows, or `off` (coordinates are then typed or
    come from the phone's location). Set by the operator only, never by a user."""

    geocoder_url: str = ""
    """Scheme and host of the geocoder (`WERKMAAT_GEOCODER_URL`, e.g. `https://nominatim.example.org`
    for a self-hosted Nominatim); empty: the backend's public default."""

    geocoder_user_agent: str = ""
    """User-Agent sent to the geocoder (`WERKMAAT_GEOCODER_USER_AGENT`); Nominatim's policy asks for a
    real one. Default `Werkmaat/<version> (+<public URL>)`."""

    gtfs_rt: tuple["RealtimeFeed", ...] = ()
    """Live delays (GTFS-Realtime) per loaded GTFS feed, from `WERKMAAT_GTFS_RT_<FEED>_*` (see
    `RealtimeFeed`). Set by the operator only, never by a user."""

    leave_notice_minutes: float = 5.0
    """The "Vertrek nu" push goes this many minutes before the time to leave home
    (`WERKMAAT_LEAVE_NOTICE_MINUTES`)."""

    commute_watch_interval: float = 30.0
    """Seconds between looks at today's ways to work for the "Vertrek nu" and disruption pushes
    (`WERKMAAT_COMMUTE_WATCH_INTERVAL`)."""

    pwa_dir: Path = Path(__file__).resolve().parent.parent / "pwa"
    """The PWA's files (`WERKMAAT_PWA_DIR`, default the repository's `pwa/`): the service worker's
    version and precache list are computed from what is there (backend/shell.py)."""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.public_url.startswith("https://")


@dataclass(frozen=True)
class RealtimeFeed:
    """One GTFS-Realtime source. `<FEED>` is a loaded feed's name in upper case, every character
    other than A-Z and 0-9 written as `_` (feed `de-lijn`: `WERKMAAT_GTFS_RT_DE_LIJN_*`):

    - `..._TRIP_UPDATES`: URL of the TripUpdates feed (delays, skipped stops, cancelled trips);
    - `..._ALERTS`: URL of the Alerts feed (either or both);
    - `..._HEADER`: an API-key header as `Name: value` (e.g. `Ocp-Apim-Subscription-Key: abc`);
    - `..._INTERVAL`: seconds between fetches (default 30, at least 1).
    """

    feed: str
    trip_updates_url: str = ""
    alerts_url: str = ""
    header_name: str = ""
    header_value: str = ""
    interval: float = 30.0


RT_PREFIX = "WERKMAAT_GTFS_RT_"
RT_SUFFIXES = ("_TRIP_UPDATES", "_ALERTS", "_HEADER", "_INTERVAL")


def _realtime_feeds(environ) -> tuple[RealtimeFeed, ...]:
    found: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith(RT_PREFIX):
            continue
        rest = name[len(RT_PREFIX):]
        suffix = next((s for s in RT_SUFFIXES if rest.endswith(s) and len(rest) > len(s)), None)
        if suffix is None:
            raise ValueError(f"{name}: expected {RT_PREFIX}<FEED> followed by one of {', '.join(RT_SUFFIXES)}")
        found.setdefault(rest[: -len(suffix)], {})[suffix] = value.strip()
    feeds = []
    for feed, values in sorted(found.items()):
        urls = {}
        for suffix in ("_TRIP_UPDATES", "_ALERTS"):
            url = values.get(suffix, "")
            if url and not url.lower().startswith(("http://", "https://")):
                raise ValueError(f"{RT_PREFIX}{feed}{suffix}: an http:// or https:// URL is needed")
            urls[suffix] = url
        if not any(urls.values()):
            raise ValueError(f"{RT_PREFIX}{feed}: set {RT_PREFIX}{feed}_TRIP_UPDATES and/or _ALERTS")
        header_name = header_value = ""
        if values.get("_HEADER"):
            header_name, _, header_value = values["_HEADER"].partition(":")
            header_name, header_value = header_name.strip(), header_value.strip()
            if not header_name or not header_value:
                raise ValueError(f"{RT_PREFIX}{feed}_HEADER: write it as 'Name: value'")
        interval = float(values.get("_INTERVAL") or 30)
        if not interval >= 1:
            raise ValueError(f"{RT_PREFIX}{feed}_INTERVAL: at least 1 second")
        feeds.append(RealtimeFeed(feed, urls["_TRIP_UPDATES"], urls["_ALERTS"], header_name, header_value, interval))
    return tuple(feeds)


def _default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'werkmaat.db').resolve()}"


def _parse_networks(text: str) -> tuple:
    nets = []
    for part in text.split(","):
        part = part.strip()
        if part:
            nets.append(ipaddress.ip_network(part, strict=False))
    return tuple(nets)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests start a new process per configuration)."""
    data_dir = Path(_env("WERKMAAT_DATA_DIR", "./data")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = _env("WERKMAAT_SECRET_KEY") or _read_or_create_secret(data_dir / "secret_key")
    return Settings(
        data_dir=data_dir,
        database_url=_env("DATABASE_URL") or _default_database_url(data_dir),
        public_url=_env("WERKMAAT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        secret_key=secret,
        trusted_proxies=_parse_networks(_env("WERKMAAT_TRUSTED_PROXIES")),
        login_slowdown_seconds=float(_env("WERKMAAT_LOGIN_SLOWDOWN", "0.25")),
        argon2_fast=_env("WERKMAAT_ARGON2_FAST") == "1",
        push_hosts=tuple(h.strip().lower() for h in _env("WERKMAAT_PUSH_HOSTS").split(",") if h.strip()),
        vapid_subject=_env("WERKMAAT_VAPID_SUBJECT") or "mailto:support@werkmaat.invalid",
        scheduler=_env("WERKMAAT_SCHEDULER", "on").lower() not in ("off", "0", "false", "no"),
        dispatch_interval=float(_env("WERKMAAT_DISPATCH_INTERVAL", "5")),
        delivery_lease_seconds=float(_env("WERKMAAT_DELIVERY_LEASE", "60")),
        planning_interval=float(_env("WERKMAAT_PLANNING_INTERVAL", "120")),
        late_after_seconds=float(_env("WERKMAAT_LATE_AFTER", "120")),
        geocoder=(_env("WERKMAAT_GEOCODER") or "nominatim").lower(),
        geocoder_url=_env("WERKMAAT_GEOCODER_URL").rstrip("/"),
        geocoder_user_agent=_env("WERKMAAT_GEOCODER_USER_AGENT"),
        gtfs_rt=_realtime_feeds(os.environ),
        leave_notice_minutes=float(_env("WERKMAAT_LEAVE_NOTICE_MINUTES", "5")),
        commute_watch_interval=float(_env("WERKMAAT_COMMUTE_WATCH_INTERVAL", "30")),
        pwa_dir=Path(_env("WERKMAAT_PWA_DIR") or Path(__file__).resolve().parent.parent / "pwa").resolve(),
    )
