"""The application run as `python -m app` runs it (app/__main__.py: the same logging, the same
access log), with one route more that fails with a personal link's token in its path and in
its exception: `python -m tests.integration.crashing_app`, for test_no_tokens_in_logs_live.py.
No route of the application fails on purpose, so this is the one way to make a real one."""

from __future__ import annotations

from aiohttp import web

from app.application import create_app
from app.logs import AccessLogger, configure_logging
from app.settings import load_settings_or_exit


async def crash(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    raise RuntimeError(f"failed for {request.path} and token {token!r}")


def main() -> None:
    settings = load_settings_or_exit()
    configure_logging(settings)
    app = create_app(settings)
    app.router.add_get("/c/{token}/crash", crash)
    web.run_app(
        app,
        host=settings.app.host,
        port=settings.app.port,
        access_log_class=AccessLogger,
        print=None,
        handle_signals=True,
    )


if __name__ == "__main__":
    main()
