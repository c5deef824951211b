"""The PWA's scripts and style sheets are served without their comments (backend/assets.py): the
same code on the same line numbers, fewer bytes for a phone."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from backend import assets

PWA = Path(__file__).resolve().parents[1] / "pwa"
SCRIPTS = sorted((PWA / "js").rglob("*.js"))


def test_comment_lines_go_and_code_stays_on_its_line():
    source = "\n".join([
        "// a comment",
        "/** A block",
        " *  over lines */",
        "const a = 1; // after code: kept",
        "  /* alone */",
        "const url = \"https://example.org/x\";",
        "const t = `one",
        "// inside a template: kept",
        "two`;",
        "/* starts */ const b = 2;",
        "/* open",
        "close */ const c = 3;",
    ])
    lines = assets.strip_script(source).split("\n")
    assert lines == ["", "", "", "const a = 1; // after code: kept", "", "const url = \"https://example.org/x\";",
                     "const t = `one", "// inside a template: kept", "two`;", "/* starts */ const b = 2;", "",
                     " const c = 3;"]


def test_style_comments_go_but_not_inside_strings():
    css = '/* a\n b */\n.x { content: "/* not a comment */"; }\n.y { color: red; /* c */ }'
    assert assets.strip_style(css) == '\n\n.x { content: "/* not a comment */"; }\n.y { color: red;  }'


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(PWA)))
def test_every_script_keeps_its_lines(path):
    text = path.read_text(encoding="utf-8")
    served = assets.strip_script(text)
    assert served.count("\n") == text.count("\n")
    kept = [line for line in text.split("\n") if line.strip() and not line.strip().startswith(("//", "/*", "*"))]
    assert [line for line in served.split("\n") if line.strip()] == kept


@pytest.mark.skipif(shutil.which("node") is None, reason="node checks the served scripts' syntax")
def test_every_served_script_still_parses(tmp_path):
    for path in SCRIPTS:
        copy = tmp_path / path.relative_to(PWA).with_suffix(".mjs")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(assets.strip_script(path.read_text(encoding="utf-8")), encoding="utf-8")
        result = subprocess.run(["node", "--check", str(copy)], capture_output=True, text=True)
        assert result.returncode == 0, f"{path.name}: {result.stderr}"


def test_a_worker_downloads_far_less_of_the_comments():
    names = ["app.js", "api.js", "dom.js", "i18n.js", "offline.js", "outbox.js", "ui.js", "views/week.js"]
    before = sum(len(gzip.compress((PWA / "js" / n).read_bytes())) for n in names)
    after = sum(len(gzip.compress(assets.strip_script((PWA / "js" / n).read_text()).encode())) for n in names)
    assert after < before * 0.85, (before, after)


def test_served_files_change_when_the_file_does(tmp_path):
    path = tmp_path / "x.js"
    path.write_text("// old\nexport const a = 1;\n")
    body, etag = assets.served(path)
    assert body == b"\nexport const a = 1;\n"
    path.write_text("// new, longer\nexport const a = 22;\n")
    again, etag2 = assets.served(path)
    assert again == b"\nexport const a = 22;\n" and etag2 != etag
    assert assets.find(tmp_path, "x.js", ".js") == path.resolve()
    assert assets.find(tmp_path, "../x.js", ".js") is None
    assert assets.find(tmp_path, "x.css", ".js") is None
