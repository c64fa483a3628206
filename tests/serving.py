"""Serve an application on a port (loopback unless told otherwise) for the length of a `with` block."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from aiohttp import web

from app.application import SERVER_OPTIONS


@asynccontextmanager
async def serving(app: web.Application, port: int, host: str = "127.0.0.1") -> AsyncIterator[str]:
    runner = web.AppRunner(app, **SERVER_OPTIONS)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
