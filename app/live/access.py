"""An interviewer's way in: the personal link's 6-digit code (checked under the limits on
guessing by app.link_codes, remembered on the device by app.link_sessions), or being logged
in as the account the link belongs to.
"""

from __future__ import annotations

from aiohttp import web

from app.keys import USER
from app.link_sessions import INTERVIEWER_SESSION


def is_signed_in(request: web.Request, interviewer_id: int, user_id: int | None) -> bool:
    """By the code (this device's cookie), or as the logged-in account of the link."""
    user = request.get(USER)
    if user is not None and user_id is not None and user.id == user_id:
        return True
    return INTERVIEWER_SESSION.holds(request, interviewer_id)
