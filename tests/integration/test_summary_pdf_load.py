"""A large event's PDF is rendered off the event loop: other requests are answered meanwhile."""
from __future__ import annotations

import asyncio
import re
import subprocess

from tests.helpers import log_in
from tests.integration.test_summary import SHOTS
from tests.integration.channel_support import new_client
from tests.summary_support import big_event, org_user, sample_event


async def test_300_interviews_render_while_other_requests_are_answered(db, http, base_url):
    warm_up = await sample_event(db)
    event = await big_event(db, 300)
    user = await org_user(db, event)
    await log_in(http, base_url, user["email"])
    # The worker process starts on the first PDF: start it first, so what follows measures
    # the rendering alone.
    await log_in(http, base_url, (await org_user(db, warm_up))["email"])
    async with http.get(f"{base_url}/events/{warm_up.id}/summary.pdf") as response:
        assert response.status == 200
    await log_in(http, base_url, user["email"])

    async def fetch_pdf() -> bytes:
        async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
            assert response.status == 200
            return await response.read()

    pdf_task = asyncio.create_task(fetch_pdf())
    answered_before = 0
    async with new_client() as other:
        while not pdf_task.done():
            async with other.get(f"{base_url}/healthz") as response:
                assert response.status == 200
                await response.read()
            if not pdf_task.done():
                answered_before += 1
            await asyncio.sleep(0.05)
    pdf = await pdf_task
    # Several requests were answered, one after another, while the PDF was being made.
    print(f"answered {answered_before} health checks while the PDF ({len(pdf)} bytes) was made")
    assert answered_before >= 3, answered_before

    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / "summary-300.pdf"  # to look at: pdftoppm -png -f 2 -l 3 …
    path.write_bytes(pdf)
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout)[1])
    assert pages > 10
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for n in (1, 150, 300):
        assert f"Kandidat Östergård-{n}" in text
    assert f"Sida {pages} av {pages}" in text
