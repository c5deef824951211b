"""Every stylesheet of the PWA parses cleanly with a real CSS parser.

Browsers never report a broken stylesheet: a rule that is never closed (`.badge.status-moved_on {`
without its `}`) silently turns every later rule into a nested rule of that one, and the impact
report lost its tiles, charts and tables that way. tinycss2 parses CSS the way browsers do
(CSS Syntax Level 3), so this test sees what a browser would make of each file:

- no parse error anywhere (stray `}`, bad string, declaration without a colon, ...);
- every block is closed before the end of the file;
- a style rule holds declarations only (the app does not use CSS nesting, so a qualified rule inside
  another one is always an unclosed brace above it), and at-rules hold what their kind holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2
from tinycss2 import ast

PWA = Path(__file__).resolve().parent.parent / "pwa"
STYLESHEETS = sorted(PWA.rglob("*.css"))

# At-rules whose block holds rules, and those whose block holds declarations.
RULE_LIST_AT_RULES = {"media", "supports", "container", "layer"}
DECLARATION_AT_RULES = {"font-face", "page", "property", "counter-style"}
SENTINEL = "werkmaat-end-of-file-sentinel"


def _where(node) -> str:
    return f"line {node.source_line}, column {node.source_column}"


def _errors_in_tokens(tokens, out: list[str]) -> None:
    """Parse errors hidden in component values (bad strings, bad urls, stray closing brackets)."""
    for token in tokens or ():
        if token.type == "error":
            out.append(f"{_where(token)}: {token.message}")
        content = getattr(token, "content", None)
        if isinstance(content, list):
            _errors_in_tokens(content, out)
        arguments = getattr(token, "arguments", None)
        if isinstance(arguments, list):
            _errors_in_tokens(arguments, out)


def _check_declarations(content, owner: str, out: list[str]) -> None:
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "error":
            out.append(f"{_where(item)} in {owner}: {item.message}")
        elif item.type == "declaration":
            _errors_in_tokens(item.value, out)
        elif item.type == "qualified-rule":
            out.append(
                f"{_where(item)}: rule {tinycss2.serialize(item.prelude).strip()!r} is nested inside {owner}"
                " (is a '}' missing above it?)"
            )
        elif item.type == "at-rule":
            out.append(f"{_where(item)}: @{item.lower_at_keyword} inside {owner}")


def _check_rules(rules, out: list[str], inside: str | None = None) -> None:
    for rule in rules:
        if rule.type == "error":
            out.append(f"{_where(rule)}: {rule.message}")
        elif rule.type == "qualified-rule":
            _errors_in_tokens(rule.prelude, out)
            _check_declarations(rule.content, repr(tinycss2.serialize(rule.prelude).strip()), out)
        elif rule.type == "at-rule":
            name = rule.lower_at_keyword
            _errors_in_tokens(rule.prelude, out)
            if name in RULE_LIST_AT_RULES and rule.content is not None:
                _check_rules(
                    tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), out, name
                )
            elif name == "keyframes" and rule.content is not None:
                for frame in tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True):
                    if frame.type != "qualified-rule":
                        out.append(f"{_where(frame)}: {getattr(frame, 'message', frame.type)} in @keyframes")
                    else:
                        _check_declarations(frame.content, "@keyframes", out)
            elif name in DECLARATION_AT_RULES and rule.content is not None:
                _check_declarations(rule.content, f"@{name}", out)
            elif name in {"import", "charset", "namespace"} and inside is None and rule.content is None:
                pass
            else:
                out.append(f"{_where(rule)}: @{name} is not a rule this test knows; teach it")


def problems(css: str) -> list[str]:
    """What a browser would silently repair or drop in this stylesheet, one line per problem."""
    out: list[str] = []
    # A block still open at the end of the file is closed by the parser without a word; a word put
    # after the last character ends up inside that block instead of at the top level.
    tail = [
        t
        for t in tinycss2.parse_component_value_list(css + "\n" + SENTINEL, skip_comments=False)
        if t.type not in ("whitespace",)
    ]
    if not tail or tail[-1].type != "ident" or tail[-1].value != SENTINEL:
        out.append("the file ends inside an open block, string or comment (a '}' or '*/' is missing)")
    _check_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), out)
    return out


def test_there_are_stylesheets():
    assert PWA / "css" / "app.css" in STYLESHEETS


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: p.relative_to(PWA).as_posix())
def test_stylesheet_parses_without_errors(path: Path):
    found = problems(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.relative_to(PWA)}:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "css, expected",
    [
        (".a { color: red; }\n.b { color: blue;\n\n.c { margin: 0; }\n", "nested inside '.b'"),
        (".a { color: red; }\n.b { color: blue;\n", "ends inside an open block"),
        (".a { color: red; } }\n", "line 1"),
        (".a { color red; }\n", "in '.a'"),
        ("@media (min-width: 40rem) {\n  .a { color: red; }\n", "ends inside an open block"),
        ("@media (min-width: 40rem) {\n  .a { color: red;\n  .b { margin: 0; }\n}\n", "nested inside '.a'"),
        (".a { content: 'open\n}\n", "line 1"),
        (".a { color: red; }\n/* never closed\n.b { margin: 0; }\n", "comment"),
        ("@frobnicate x { }\n", "@frobnicate"),
    ],
    ids=["unclosed-rule", "unclosed-at-eof", "stray-brace", "no-colon", "unclosed-media",
         "nested-in-media", "bad-string", "open-comment", "unknown-at-rule"],
)
def test_the_check_catches_what_browsers_hide(css: str, expected: str):
    found = problems(css)
    assert found, f"no problem found in {css!r}"
    assert any(expected in line for line in found), found


def test_the_check_accepts_good_css():
    css = """
    @media (max-width: 40rem) { .a { color: red; } .b::before { content: "x: "; } }
    @keyframes pulse { from { opacity: 1; } 50% { opacity: .5; } }
    .c:has(.d) { grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); }
    @font-face { font-family: X; src: url(x.woff2) format("woff2"); }
    """
    assert problems(css) == []
