"""The worker's Home in one answer: `GET /api/me/today` (see `services.today`)."""
