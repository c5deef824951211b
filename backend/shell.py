"""The PWA shell as the server serves it: a service worker whose version is the shell's content, the
precache list of each role, and the module preloads of index.html.

Nothing here is hand-maintained. At start-up (and again when a file changed, for a server that runs
from a working copy) the files under the PWA directory (`WERKMAAT_PWA_DIR`) are read and hashed:

- `version`: a hash of every shell file's path and bytes. `/sw.js` carries it, so any change to any
  shell file gives phones a byte-different service worker, which the browser installs as an update.
- `core`: what every start needs (the page, the stylesheet, the catalogues, the icons and the
  modules `js/app.js` imports statically); precached when the service worker installs.
- `roles`: per role, the screens of that role's route table in `js/app.js` (the
  `import("./views/...")` in its block of `ROUTES`) with everything they import, minus `core`. The
  page asks the service worker to keep its role's list once it knows who is signed in, so a worker's
  phone never downloads coach or admin code, and still opens every worker screen offline.
- `preload`: `core`'s modules, as `<link rel="modulepreload">` in index.html, so the browser fetches
  them at once instead of one import level at a time.
- `keys`: per role, the catalogue keys its scripts name; `/catalogue/<lang>/<role>.json` serves just
  those messages (the whole catalogue, /i18n/<lang>.json, holds every screen's words).

Catalogues are not in these lists: a phone keeps only the words of its own language, whatever the
number of languages. The page registers the service worker with its role and language
(`/sw.js?role=worker&lang=ar`), which keeps that language's parts at install; a language chosen later
is kept when the page fetches it (and js/app.js asks the worker to keep it).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from backend.i18n import SUPPORTED
from backend.settings import get_settings

ROLES = ("worker", "buddy", "coach", "admin")
# The catalogue part of someone not signed in (the sign-in, invite and reset screens).
SIGNED_OUT = "signedOut"
# The languages of the app (backend/i18n.py SUPPORTED, from backend/locales/status.json). One whose
# catalogue file is missing (or lacks a key) is served in Dutch for what is missing.
LANGUAGES = SUPPORTED
DEFAULT_LANGUAGE = "nl"
RIGHT_TO_LEFT = frozenset({"ar"})
# Served at the root by their own routes; every other shell file lives in one of ASSET_FOLDERS.
ROOT_FILES = ("index.html", "offline.html", "manifest.webmanifest", "sw.js")
ASSET_FOLDERS = ("js", "css", "i18n", "icons")
# Always precached besides the modules: the page, its style and the icons the page and the manifest
# name. No catalogue: the service worker keeps only the device's own language (see the module text).
CORE_ASSETS = ("/", "/offline.html", "/manifest.webmanifest", "/css/app.css")
ENTRY = "/js/app.js"

_STATIC_IMPORT = re.compile(r"""(?:^|[;\s])(?:import|export)\s[^'";]*?\sfrom\s*["']([^"']+)["']|(?:^|[;\s])import\s*["']([^"']+)["']""",
                            re.MULTILINE)
_DYNAMIC_IMPORT = re.compile(r"""\bimport\(\s*["']([^"']+)["']\s*\)""")
_ROLE_BLOCK = re.compile(r"^\s{2}(worker|buddy|coach|admin):\s*\[", re.MULTILINE)
_ROUTES_START = re.compile(r"^const ROUTES = \{", re.MULTILINE)
_HOME_ROUTE = re.compile(r"""\[\s*"/home",\s*screen\(\s*\(\)\s*=>\s*import\(\s*["']([^"']+)["']""")
PRELOAD_MARK = "<!-- modulepreload -->"
SW_MARK = re.compile(r"^const BUILD = \{[^\n]*\};$", re.MULTILINE)


# A catalogue key named in a script: a quoted "a.b" (also as a prefix "a." or `a.${...}`).
_KEY_LITERAL = re.compile(r"""["'`]([A-Za-z]\w*(?:\.\w+)+\.?)["'`$]""")
_KEY_PREFIX = re.compile(r"`([A-Za-z][\w.]*\.)\$\{")


@dataclass(frozen=True)
class Shell:
    version: str
    core: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]
    preload: tuple[str, ...]
    stamp: tuple
    # Per role (and SIGNED_OUT): the catalogue keys its scripts name; see `catalogue_part`.
    keys: dict[str, frozenset[str]]
    # Per role: the modules of its Home screen beyond `core` (preloaded for someone signed in).
    home: dict[str, tuple[str, ...]]


def catalogue_url(lang: str, part: str) -> str:
    return f"/catalogue/{lang}/{part}.json"


def keys_named(pwa: Path, urls: list[str], catalogue: dict[str, str]) -> frozenset[str]:
    """The keys of `catalogue` the files `urls` (and index.html) name, literally or by prefix."""
    text = "".join((pwa / u.lstrip("/")).read_text(encoding="utf-8") for u in urls if u.endswith(".js"))
    text += (pwa / "index.html").read_text(encoding="utf-8")
    literals = set(_KEY_LITERAL.findall(text))
    prefixes = tuple(set(_KEY_PREFIX.findall(text)) | {k for k in literals if k.endswith(".")})
    return frozenset(k for k in catalogue if k in literals or k.startswith(prefixes))


def _url(pwa: Path, path: Path) -> str:
    return "/" + path.relative_to(pwa).as_posix()


def shell_files(pwa: Path) -> list[Path]:
    files = [pwa / name for name in ROOT_FILES if (pwa / name).is_file()]
    for folder in ASSET_FOLDERS:
        files.extend(sorted(p for p in (pwa / folder).rglob("*") if p.is_file()))
    return files


def _resolve(pwa: Path, importer: str, spec: str) -> str | None:
    if not spec.startswith((".", "/")):
        return None
    base = (pwa / importer.lstrip("/")).parent
    target = (pwa / spec.lstrip("/")) if spec.startswith("/") else (base / spec)
    target = target.resolve()
    try:
        return _url(pwa.resolve(), target) if target.is_file() else None
    except ValueError:
        return None


def imports(pwa: Path, url: str, dynamic: bool) -> list[str]:
    """The modules `url` imports statically (and, with `dynamic`, by `import("...")` too)."""
    text = (pwa / url.lstrip("/")).read_text(encoding="utf-8")
    specs = [a or b for a, b in _STATIC_IMPORT.findall(text)]
    if dynamic:
        specs += _DYNAMIC_IMPORT.findall(text)
    found = [_resolve(pwa, url, s) for s in specs]
    return [f for f in found if f]


def closure(pwa: Path, roots: list[str], dynamic: bool) -> list[str]:
    """Every module reachable from `roots` (in the order first met)."""
    seen: dict[str, None] = {}
    todo = list(roots)
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        seen[url] = None
        todo.extend(imports(pwa, url, dynamic))
    return list(seen)


def signed_out_screens(pwa: Path) -> list[str]:
    """Screens js/app.js loads outside ROUTES (sign-in, reset, the push card)."""
    text = (pwa / ENTRY.lstrip("/")).read_text(encoding="utf-8")
    start = _ROUTES_START.search(text)
    end = text.find("\n};", start.end()) if start else -1
    outside = text[: start.start()] + text[end:] if start and end >= 0 else text
    found = [_resolve(pwa, ENTRY, spec) for spec in _DYNAMIC_IMPORT.findall(outside)]
    return [f for f in found if f]


def role_blocks(pwa: Path) -> dict[str, str]:
    """The text of each role's block of `ROUTES` in js/app.js."""
    text = (pwa / ENTRY.lstrip("/")).read_text(encoding="utf-8")
    start = _ROUTES_START.search(text)
    if start is None:
        raise RuntimeError("js/app.js: `const ROUTES = {` not found; backend/shell.py reads each role's screens there")
    body = text[start.end():]
    body = body[: body.find("\n};")]
    blocks = list(_ROLE_BLOCK.finditer(body))
    return {block.group(1): body[block.end():(blocks[i + 1].start() if i + 1 < len(blocks) else len(body))]
            for i, block in enumerate(blocks)}


def home_screens(pwa: Path) -> dict[str, str]:
    """Each role's "/home" screen module."""
    found = {}
    for role, block in role_blocks(pwa).items():
        match = _HOME_ROUTE.search(block)
        url = _resolve(pwa, ENTRY, match.group(1)) if match else None
        if url:
            found[role] = url
    return found


def role_screens(pwa: Path) -> dict[str, list[str]]:
    """The screens named in each role's block of `ROUTES` in js/app.js."""
    screens: dict[str, list[str]] = {role: [] for role in ROLES}
    for role, block in role_blocks(pwa).items():
        found = [_resolve(pwa, ENTRY, spec) for spec in _DYNAMIC_IMPORT.findall(block)]
        screens[role] = [f for f in found if f]
    return screens


def build(pwa: Path) -> Shell:
    files = shell_files(pwa)
    digest = hashlib.sha256()
    for path in files:
        digest.update(_url(pwa, path).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    modules = closure(pwa, [ENTRY], dynamic=False)
    icons = [_url(pwa, p) for p in files if p.parent == pwa / "icons"]
    catalogue = json.loads((pwa / "i18n" / "nl.json").read_text(encoding="utf-8"))
    signed_out = closure(pwa, [ENTRY, *signed_out_screens(pwa)], dynamic=False)
    keys = {SIGNED_OUT: keys_named(pwa, signed_out, catalogue)}
    core = tuple(dict.fromkeys([*CORE_ASSETS, *icons, *modules]))
    roles = {}
    for role, screens in role_screens(pwa).items():
        scripts = closure(pwa, screens, dynamic=True)
        keys[role] = keys_named(pwa, [*modules, *scripts], catalogue)
        roles[role] = tuple(u for u in scripts if u not in core)
    home = {role: tuple(u for u in closure(pwa, [url], dynamic=False) if u not in core)
            for role, url in home_screens(pwa).items()}
    return Shell(version=digest.hexdigest()[:16], core=core, roles=roles, preload=tuple(modules),
                 stamp=_stamp(files), keys=keys, home=home)


def _stamp(files: list[Path]) -> tuple:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


_lock = threading.Lock()
_current: Shell | None = None


def current() -> Shell:
    """The shell as it is on disk now: computed at start-up, again when a file changed (cheap check
    of sizes and modification times, so a deploy that replaces files in place is picked up)."""
    global _current
    pwa = get_settings().pwa_dir
    shell = _current
    if shell is not None and _stamp(shell_files(pwa)) == shell.stamp:
        return shell
    with _lock:
        _current = build(pwa)
        return _current


def service_worker() -> bytes:
    """js for /sw.js: the file with its `const BUILD = {...};` line filled in."""
    shell = current()
    text = (get_settings().pwa_dir / "sw.js").read_text(encoding="utf-8")
    build_line = "const BUILD = " + json.dumps(
        {"version": shell.version, "core": list(shell.core), "roles": {r: list(u) for r, u in shell.roles.items()},
         "languages": list(LANGUAGES)},
        separators=(",", ":")) + ";"
    if not SW_MARK.search(text):
        raise RuntimeError("pwa/sw.js: the line `const BUILD = {...};` is missing")
    return SW_MARK.sub(lambda _: build_line, text, count=1).encode()


# The start answer js/app.js asks first whoever is signed in (who I am, and a worker's day).
START_ANSWER = "/api/me/today"


def index_page(role: str | None = None, language: str | None = None, start: bool = False) -> bytes:
    """index.html with the modulepreload links of the start-up modules in place of its marker; for
    someone signed in also their Home's modules and their words (`role`, `language`), so that the
    whole first screen loads at once instead of after "who am I?". Only hints: the app still asks.
    `start`: the start answer too, fetched while the modules load instead of after them (only for a
    page the browser opens from the network, never for the copy the service worker keeps: a warm
    start asks nothing before the day last seen is on the screen)."""
    shell = current()
    text = (get_settings().pwa_dir / "index.html").read_text(encoding="utf-8")
    links = [f'<link rel="modulepreload" href="{url}">' for url in shell.preload if url != ENTRY]
    if role in shell.home:
        links += [f'<link rel="modulepreload" href="{url}">' for url in shell.home[role]]
        if language in LANGUAGES:
            links.append(f'<link rel="preload" href="{catalogue_url(language, role)}" as="fetch" crossorigin>')
    if role and start:
        links.append(f'<link rel="preload" href="{START_ANSWER}" as="fetch" crossorigin>')
    if role and language in LANGUAGES and language != DEFAULT_LANGUAGE:
        # In the person's language and direction from the first paint (js/i18n.js sets both again
        # once the words are loaded).
        direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
        text = text.replace('<html lang="nl">', f'<html lang="{language}" dir="{direction}">', 1)
    return text.replace(PRELOAD_MARK, "\n  ".join(links), 1).encode()


_parts: dict[tuple[str, str, str], bytes] = {}


def catalogue_part(lang: str, part: str) -> bytes | None:
    """The messages of one language that one role's screens use (about half of the catalogue for a
    worker): what js/i18n.js loads once it knows who is signed in. None for an unknown language or
    part. A message the language's catalogue lacks (or the whole file, while it is being written) is
    the Dutch one, so a new language never breaks a screen."""
    shell = current()
    if lang not in LANGUAGES or part not in shell.keys:
        return None
    key = (shell.version, lang, part)
    if key not in _parts:
        if len(_parts) > 64:
            _parts.clear()
        folder = get_settings().pwa_dir / "i18n"
        catalogue = json.loads((folder / f"{DEFAULT_LANGUAGE}.json").read_text(encoding="utf-8"))
        own = folder / f"{lang}.json"
        if lang != DEFAULT_LANGUAGE and own.is_file():
            catalogue.update(json.loads(own.read_text(encoding="utf-8")))
        wanted = shell.keys[part]
        _parts[key] = json.dumps({k: v for k, v in catalogue.items() if k in wanted}, ensure_ascii=False,
                                 separators=(",", ":")).encode()
    return _parts[key]
