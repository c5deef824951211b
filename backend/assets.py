"""The PWA's scripts and style sheets as phones get them: without their comments.

The files under pwa/js and pwa/css are written to be read, and about a third of what a phone
downloads of them (after gzip) is comments: 13 of the 40 KB of a worker's first load. They are served
here with every comment line blanked (line numbers stay, so a stack trace points at the file as
written); nothing else changes, no build step. The result is kept in memory per file and made again
when the file changes (size or modification time), as backend/shell.py does for the shell.

What is taken out of a script: lines that are only a `//` comment, and block comments that stand on
lines of their own (`/** ... */`), but never inside a template literal (a line that begins inside one
is kept). Comments after code on the same line stay: only a full parser could tell them from a `//`
inside a string. Style sheets lose every `/* ... */` outside a string.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

_cache: dict[Path, tuple[tuple[int, int], bytes, str]] = {}
_lock = threading.Lock()

_CSS_COMMENT = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|/\*.*?\*/""", re.DOTALL)


def strip_script(text: str) -> str:
    out: list[str] = []
    in_block = False
    in_template = False  # a line that starts inside a multi-line template literal is kept as it is
    for line in text.split("\n"):
        bare = line.strip()
        if in_block:
            end = line.find("*/")
            if end < 0:
                out.append("")
                continue
            in_block = False
            rest = line[end + 2:]
            out.append(rest if rest.strip() else "")
            continue
        if not in_template:
            if bare.startswith("//"):
                out.append("")
                continue
            if bare.startswith("/*") and (bare.endswith("*/") or "*/" not in bare):
                in_block = "*/" not in bare[2:]
                out.append("")
                continue
        out.append(line)
        if line.count("`") % 2:
            in_template = not in_template
    return "\n".join(out)


def strip_style(text: str) -> str:
    return _CSS_COMMENT.sub(lambda m: m.group(1) or "\n" * m.group(0).count("\n"), text)


def served(path: Path) -> tuple[bytes, str]:
    """The bytes of a script or style sheet as served, and their ETag."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    kept = _cache.get(path)
    if kept is not None and kept[0] == stamp:
        return kept[1], kept[2]
    text = path.read_text(encoding="utf-8")
    body = (strip_style(text) if path.suffix == ".css" else strip_script(text)).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[path] = (stamp, body, etag)
    return body, etag


def find(root: Path, name: str, suffix: str) -> Path | None:
    """The file `name` under `root` (a folder of the PWA), or None: only files of that kind, never
    outside the folder."""
    if not name.endswith(suffix) or "\0" in name:
        return None
    base = root.resolve()
    target = (base / name.lstrip("/")).resolve()
    try:
        target.relative_to(base)
    except ValueError:
        return None
    return target if target.is_file() else None
