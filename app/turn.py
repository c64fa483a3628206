"""TURN credentials for one ticket, in coturn's shared-secret scheme (`use-auth-secret`).

coturn and the control plane share `turn.secret`; nothing is stored. The user name is
`<expiry>:<id>` (Unix seconds, then who it is for) and the password is
base64(HMAC-SHA1(secret, user name)). coturn recomputes the password from the name and
refuses a name whose expiry has passed, also when an allocation is refreshed, so a relay
lasts at most until the credentials' expiry: the interview's planned end plus
`turn.credential_margin` (DEPLOYMENT.md, "TURN"). Everyone registered through a public
invite link thus holds relay access only for the minutes of their own interview.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from app.settings import TurnSettings

# coturn splits the user name at the first ':' of the configured separator; the id part
# must not hold one (or a space, which some clients trim).
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def turn_password(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def turn_credentials(settings: TurnSettings, holder: str, expires_at: int) -> list[dict]:
    """RTCIceServer objects for `holder` (e.g. "interview-42-candidate") that work until
    `expires_at`; none when TURN is not configured."""
    if not settings.urls:
        return []
    if not _ID.match(holder):
        raise ValueError("a TURN credential id is letters, digits, '.', '_' and '-'")
    username = f"{int(expires_at)}:{holder}"
    return [
        {
            "urls": list(settings.urls),
            "username": username,
            "credential": turn_password(settings.secret.get_secret_value(), username),
        }
    ]
