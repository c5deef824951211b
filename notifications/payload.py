"""Pure builders: the text of a reminder in the recipient's language, the push message (small enough
for every push service), and the push headers that make it useful on a phone (TTL, Urgency, Topic)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import unicodedata
from zoneinfo import ZoneInfo

from backend.i18n import has_key, translate

LOCAL_TZ = ZoneInfo("Europe/Brussels")
MAX_TTL = 28 * 24 * 3600  # the longest any push service keeps a message
MIN_TTL = 60

# RFC 8030 section 7.2 / RFC 8291 section 4: a push service need not take more than 4,096 bytes of
# encrypted body (FCM and Mozilla answer 413 above it). `webpush.encrypt` sends one aes128gcm record (RFC 8188):
# a header of 86 bytes (salt 16, record size 4, key id length 1, key id 65), the plaintext, one
# padding delimiter byte and a 16-byte tag. So the JSON text itself may be at most 3,993 bytes.
MAX_PUSH_BODY = 4096
AES128GCM_HEADER = 16 + 4 + 1 + 65
AES128GCM_OVERHEAD = AES128GCM_HEADER + 1 + 16
MAX_PLAINTEXT = MAX_PUSH_BODY - AES128GCM_OVERHEAD  # 3993
ELLIPSIS = "\u2026"

# The texts of a template are `push.<template>.title` / `.body` in backend/locales (the things to
# bring: `bring.<code>`); a template name not there means the coach's own words.
TEMPLATES = ("evening_before", "before_start", "test", "report_sick", "report_late")
# "Ik heb hulp nodig" to the coach (backend/reminders/replies.py): "{name} vraagt hulp: vervoer".
TEMPLATES += ("help_work", "help_ride", "help_health", "help_other")


def bring_label(code: str, language: str) -> str:
    """The name of a thing to bring in `language`; an unknown code shows as itself."""
    key = f"bring.{code}"
    return translate(key, language) if has_key(key) else code


def topic_for(seed: str) -> str:
    """A Web Push Topic (at most 32 base64url characters) derived from what the reminder is about."""
    return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()[:24]).decode()


def render_parts(template: str | None, params: dict, title: str, body: str, language: str) -> tuple[str, str, str]:
    """Title, body and mark for one recipient. The mark ("Written in Dutch" in their language) says
    that a coach's own words (template "text"), or a phrase without a translation for them, are
    Dutch; it is empty otherwise. A phrase reminder (template "phrase") keeps its text per language
    in `params["texts"]` (made by backend/phrases when it was sent)."""
    if template == "phrase":
        texts = params.get("texts") or {}
        entry = texts.get(language) or texts.get("nl") or {}
        return entry.get("title", title), entry.get("body", body), entry.get("mark", "")
    if template == "text":
        mark = (params.get("marks") or {}).get(language, "") if language != "nl" else ""
        return title, body, mark
    head, text = render(template, params, title, body, language)
    return head, text, ""


def languages_of(template: str | None, params: dict, language: str) -> dict[str, str]:
    """The language the title and the body of a "phrase" or "text" reminder are in, for `language`'s
    reader: a coach's own words are Dutch; a phrase is theirs, or Dutch without a translation."""
    if template == "text":
        return {"title_language": "nl", "body_language": "nl"}
    if template == "phrase":
        entry = (params.get("texts") or {}).get(language) or {}
        return {"title_language": entry.get("language", "nl"), "body_language": "nl"}
    return {"title_language": language, "body_language": language}


def with_mark(body: str, mark: str) -> str:
    """The push body with the mark on a line of its own."""
    if not mark:
        return body
    return f"{body}\n{mark}" if body else mark


def render(template: str | None, params: dict, title: str, body: str, language: str) -> tuple[str, str]:
    """Title and body for one recipient: a coach's own words, or a template in their language."""
    if template in ("phrase", "text"):
        head, text, mark = render_parts(template, params, title, body, language)
        return head, with_mark(text, mark)
    if not template:
        return title, body
    if template not in TEMPLATES:
        return title, body
    bring_codes = params.get("bring") or []
    bring = " " + translate("push.bring", language, items=", ".join(bring_label(b, language) for b in bring_codes)) \
        if bring_codes else ""
    # Each part brings its own leading space, so a missing place leaves no double space.
    place = (params.get("place") or "").strip().rstrip(".")
    values = {"title": params.get("title", ""), "time": params.get("time", ""),
              "place": f" {place}." if place else "", "bring": bring,
              "text": params.get("text", ""), "name": params.get("name", "")}
    return (translate(f"push.{template}.title", language, **values).strip(),
            translate(f"push.{template}.body", language, **values).strip())


def ttl_seconds(expires_at: dt.datetime, now: dt.datetime) -> int:
    """Keep the message while it is useful: never 0 (a phone that is offline would lose it)."""
    return int(min(MAX_TTL, max(MIN_TTL, (expires_at - now).total_seconds())))


def urgency(urgent: bool, event_at: dt.datetime | None, now: dt.datetime) -> str:
    """High for something starting within the hour (phones wake up for it), else normal."""
    if urgent or (event_at is not None and event_at - now <= dt.timedelta(hours=1)):
        return "high"
    return "normal"


def message(title: str, body: str, topic: str, url: str, reminder_id: str, recipient_id: str, urgent: bool) -> str:
    """The JSON the service worker gets; it shows `title`/`body` with `tag`, so copies replace each other.

    Never more than `MAX_PLAINTEXT` bytes of UTF-8, so the encrypted push fits the 4,096 bytes every
    push service takes: a longer body is cut (whole characters, never inside an emoji or an accented
    letter) and ends in "…". The inbox keeps the whole text; the notification opens it."""
    def encode(t: str, b: str) -> bytes:
        return json.dumps({"title": t, "body": b, "tag": topic, "url": url, "reminderId": reminder_id,
                           "recipientId": recipient_id, "urgent": urgent}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8", "replace")

    data = encode(title, body)
    if len(data) <= MAX_PLAINTEXT:
        return data.decode("utf-8")
    body = shorten(body, lambda cut: len(encode(title, cut)) <= MAX_PLAINTEXT)
    if len(encode(title, body)) > MAX_PLAINTEXT:  # only with an absurd title: cut that as well
        body = ""
        title = shorten(title, lambda cut: len(encode(cut, "")) <= MAX_PLAINTEXT)
    return encode(title, body).decode("utf-8")


def shorten(text: str, fits, ellipsis: str = ELLIPSIS) -> str:
    """The longest start of `text`, cut between two graphemes and followed by `ellipsis`, for which
    `fits(candidate)` holds; `text` itself when it fits. Prefers a cut at a space near the end."""
    if fits(text):
        return text
    cuts = grapheme_boundaries(text)
    lo, hi = 0, len(cuts) - 1  # cuts[0] == 0: the ellipsis alone
    if not fits(_with(text, 0, ellipsis)):
        return ""
    while lo < hi:  # the largest index whose cut fits (fitting is monotone in the length)
        mid = (lo + hi + 1) // 2
        if fits(_with(text, cuts[mid], ellipsis)):
            lo = mid
        else:
            hi = mid - 1
    end = cuts[lo]
    space = text.rfind(" ", max(0, end - 30), end)
    if space > end // 2:
        end = space
    return _with(text, end, ellipsis)


def _with(text: str, end: int, ellipsis: str) -> str:
    return text[:end].rstrip() + ellipsis


# Code points that never start a grapheme of their own (a simplified UAX #29: extend, spacing marks,
# zero-width joiner, emoji modifiers and tags, Hangul vowel and final jamo).
def _joins_previous(ch: str) -> bool:
    cp = ord(ch)
    if cp == 0x200D or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0xE0020 <= cp <= 0xE007F:
        return True
    if 0x1F3FB <= cp <= 0x1F3FF or 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF:
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def grapheme_boundaries(text: str) -> list[int]:
    """Indexes at which `text` may be cut without splitting a user-perceived character: not before a
    combining mark, variation selector or skin tone, not after a zero-width joiner (👩‍🔧), not inside
    a flag (a pair of regional indicators), not between CR and LF. Includes 0 and len(text)."""
    cuts = [0]
    regional_run = 0
    for i in range(1, len(text) + 1):
        prev = text[i - 1]
        regional_run = regional_run + 1 if _regional(prev) else 0
        if i == len(text):
            cuts.append(i)
            break
        ch = text[i]
        if _joins_previous(ch) or prev == "\u200d" or (prev == "\r" and ch == "\n"):
            continue
        if _regional(ch) and regional_run % 2 == 1:
            continue
        cuts.append(i)
    return cuts
