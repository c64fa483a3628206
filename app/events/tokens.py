"""Link tokens and codes: unguessable, URL-safe, never logged (app.logs elides them)."""

import re
import secrets

# What link_token makes: URL-safe base64. Anything else in a path (a NUL, say, that
# PostgreSQL would refuse) cannot be a link token.
LINK_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,100}")


def link_token() -> str:
    return secrets.token_urlsafe(24)


def looks_like_link_token(text: str) -> bool:
    return bool(LINK_TOKEN_PATTERN.fullmatch(text))


def six_digit_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def calendar_uid(event_id: int, calendar_key: str | None, kind: str, recipient_id: int) -> str:
    """Stable per event and recipient, so updates and cancellations replace the first entry.
    `kind` is "interviewer" or "candidate". `calendar_key`, random per event, keeps the UID
    unique beyond this database (another installation's event of the same id); None for the
    events made before it, whose entries already went out without it."""
    if calendar_key is None:
        return f"event-{event_id}-{kind}-{recipient_id}@snabbintervjuer"
    return f"event-{event_id}-{kind}-{recipient_id}-{calendar_key}@snabbintervjuer"
