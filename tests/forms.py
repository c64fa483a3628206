"""Forms as a browser sends them: the CSRF token a page carries, and a POST with it.

status, csrf, page = await csrf_of(http, url)      # csrf is None when the page has none
csrf = await csrf_from(http, url)                  # the page must have one
value = value_in(page, "edit_version")             # an input's value, or None
csrf, version = await edit_form_of(http, url)      # an event's edit form: token, version
status, body, headers = await post_form(http, base_url, "/events/new", {...})
"""

from __future__ import annotations

import html as html_lib
import re

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_in(page: str) -> str | None:
    """The CSRF token of the first form on the page, or None."""
    match = CSRF_FIELD.search(page)
    return html_lib.unescape(match[1]) if match else None


def value_in(page: str, name: str) -> str | None:
    """The value of the first input named `name` on the page (a hidden field), or None."""
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    return html_lib.unescape(match[1]) if match else None


async def edit_form_of(http, url: str) -> tuple[str, str]:
    """The edit form at `url` as a browser holds it: (its CSRF token, the event's version)."""
    status, csrf, page = await csrf_of(http, url)
    version = value_in(page, "edit_version")
    assert csrf and version is not None, f"no edit form at {url} ({status}): {page[:500]}"
    return csrf, version


async def get_page(http, url: str, **kwargs) -> tuple[int, str]:
    async with http.get(url, **kwargs) as response:
        return response.status, await response.text()


async def csrf_of(http, url: str, **headers) -> tuple[int, str | None, str]:
    """GET `url` (with these request headers): (status, its CSRF token or None, the page)."""
    status, page = await get_page(http, url, headers=headers)
    return status, csrf_in(page), page


async def csrf_from(http, url: str, **headers) -> str:
    """The CSRF token of the page at `url`, which must have one."""
    status, csrf, page = await csrf_of(http, url, **headers)
    assert csrf, f"no CSRF token on {url} ({status}): {page[:500]}"
    return csrf


async def post_form(
    http, base_url: str, path: str, data: dict, *, form_page: str | None = None, headers: dict | None = None
) -> tuple[int, str, dict]:
    """POST a form the way a browser does: with the CSRF token of the page that holds it
    (`form_page`, default `path`). Returns (status, body, response headers); no redirects."""
    csrf = await csrf_from(http, base_url + (form_page or path), **(headers or {}))
    async with http.post(
        base_url + path, data=dict(data, csrf_token=csrf), allow_redirects=False, headers=headers
    ) as response:
        return response.status, await response.text(), dict(response.headers)
