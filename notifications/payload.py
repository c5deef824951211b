"""Pure builders: the text of a reminder in the recipient's language, and the push headers that
make a message useful on a phone (TTL, Urgency, Topic)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Brussels")
MAX_TTL = 28 * 24 * 3600  # the longest any push service keeps a message
MIN_TTL = 60

TEMPLATES = {
    "nl": {
        "evening_before": ("Morgen: {title}", "Om {time}. {place}{bring}"),
        "before_start": ("Straks: {title}", "Om {time}. {place}{bring}"),
        "test": ("Testmelding", "Meldingen werken op dit toestel."),
        "bring": " Neem mee: {items}.",
        "report_sick": ("{name} meldt zich ziek", "{text}"),
        "report_late": ("{name} komt te laat", "{text}"),
    },
    "en": {
        "evening_before": ("Tomorrow: {title}", "At {time}. {place}{bring}"),
        "before_start": ("Soon: {title}", "At {time}. {place}{bring}"),
        "test": ("Test notification", "Notifications work on this device."),
        "bring": " Bring: {items}.",
        "report_sick": ("{name} reports sick", "{text}"),
        "report_late": ("{name} will be late", "{text}"),
    },
}
BRING = {
    "nl": {"safety_shoes": "veiligheidsschoenen", "work_clothes": "werkkledij", "id_card": "identiteitskaart",
           "lunch": "lunch", "drink": "drinken", "gloves": "handschoenen", "helmet": "helm",
           "documents": "documenten", "bank_card": "bankkaart", "pen": "balpen"},
    "en": {"safety_shoes": "safety shoes", "work_clothes": "work clothes", "id_card": "ID card", "lunch": "lunch",
           "drink": "something to drink", "gloves": "gloves", "helmet": "helmet", "documents": "documents",
           "bank_card": "bank card", "pen": "pen"},
}


def topic_for(seed: str) -> str:
    """A Web Push Topic (at most 32 base64url characters) derived from what the reminder is about."""
    return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()[:24]).decode()


def render(template: str | None, params: dict, title: str, body: str, language: str) -> tuple[str, str]:
    """Title and body for one recipient: a coach's own words, or a template in their language."""
    if not template:
        return title, body
    texts = TEMPLATES.get(language, TEMPLATES["nl"])
    if template not in texts:
        return title, body
    head, text = texts[template]
    bring_codes = params.get("bring") or []
    labels = BRING.get(language, BRING["nl"])
    bring = texts["bring"].format(items=", ".join(labels.get(b, b) for b in bring_codes)) if bring_codes else ""
    values = {"title": params.get("title", ""), "time": params.get("time", ""),
              "place": (params.get("place") + ".") if params.get("place") else "", "bring": bring,
              "text": params.get("text", ""), "name": params.get("name", "")}
    return head.format(**values).strip(), text.format(**values).strip()


def ttl_seconds(expires_at: dt.datetime, now: dt.datetime) -> int:
    """Keep the message while it is useful: never 0 (a phone that is offline would lose it)."""
    return int(min(MAX_TTL, max(MIN_TTL, (expires_at - now).total_seconds())))


def urgency(urgent: bool, event_at: dt.datetime | None, now: dt.datetime) -> str:
    """High for something starting within the hour (phones wake up for it), else normal."""
    if urgent or (event_at is not None and event_at - now <= dt.timedelta(hours=1)):
        return "high"
    return "normal"


def message(title: str, body: str, topic: str, url: str, reminder_id: str, recipient_id: str, urgent: bool) -> str:
    """The JSON the service worker gets; it shows `title`/`body` with `tag`, so copies replace each other."""
    return json.dumps({"title": title, "body": body, "tag": topic, "url": url, "reminderId": reminder_id,
                       "recipientId": recipient_id, "urgent": urgent}, ensure_ascii=False)
