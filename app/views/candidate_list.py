"""Where in the employer's list of an event's registrations a row's action came from (its
search `q` and page, app/candidates/queries.py for_employer): the action's confirmation
page and the list it goes back to keep them, so a search is not lost to an action."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from app.names import searched
from app.views.roster import page_number

# The longest search the list takes (its field's maxlength): a longer one is cut there.
MAX_SEARCH = 200


def search_of(query: Mapping[str, str]) -> str:
    """The search as it is used and shown (app/names.py searched), at most MAX_SEARCH long."""
    return searched(query.get("q", "")[:MAX_SEARCH])


def place_in_list(search: str, page: int) -> str:
    """The query string of a search and page, "?q=…&page=…" (nothing for the first page of
    all), to append to a row's action and to the list's address."""
    params = {"q": search} if search else {}
    if page > 1:
        params["page"] = str(page)
    return f"?{urlencode(params)}" if params else ""


def place_of(query: Mapping[str, str]) -> str:
    """The place a request names (as place_in_list made it), checked again."""
    return place_in_list(search_of(query), page_number(query.get("page", "")) or 1)
