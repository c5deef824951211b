"""`GET /api/languages`: the app's languages, each with its own name, direction, review state and
how complete its server catalogue is (number of keys vs the Dutch one). Public (the first screen
shows the choice before sign-in) and the same for everyone, so browsers and proxies may cache it."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import CacheControlHeader

from backend.i18n import DEFAULT, SUPPORTED, catalogue, status
from backend.schemas import CamelStruct

MAX_AGE = 3600


class LanguageOut(CamelStruct):
    code: str
    name: str
    dir: str
    review: str
    keys: int
    dutch_keys: int


class LanguagesOut(CamelStruct):
    default: str
    languages: list[LanguageOut]


def languages() -> LanguagesOut:
    dutch = catalogue(DEFAULT)
    info = status()
    out = []
    for code in SUPPORTED:
        entry = info.get(code, {})
        out.append(LanguageOut(code=code, name=entry.get("name", code), dir=entry.get("dir", "ltr"),
                               review=entry.get("review", "needs native review"),
                               keys=sum(1 for key in catalogue(code) if key in dutch), dutch_keys=len(dutch)))
    return LanguagesOut(default=DEFAULT, languages=out)


@get("/api/languages", operation_id="listLanguages", tags=["system"], security=[],
     cache_control=CacheControlHeader(public=True, max_age=MAX_AGE))
async def languages_handler() -> LanguagesOut:
    """The languages with their native names, `dir` (rtl for Arabic), review state and catalogue size."""
    return languages()
