"""A large event's PDF is rendered off the event loop: other requests are answered meanwhile."""

from __future__ import annotations

import asyncio
import re
import subprocess

from app.keys import PDF_WORKERS
from tests.accounts import log_in
from tests.integration.channel_support import new_client
from tests.integration.test_summary import SHOTS
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
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout,
        )[1]
    )
    assert pages > 10
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for n in (1, 150, 300):
        assert f"Kandidat Östergård-{n}" in text
    assert f"Sida {pages} av {pages}" in text


async def test_one_render_per_summary_and_others_beyond_what_the_pool_takes_are_503_at_once(
    db, http, base_url, app_server, monkeypatch
):
    """After a large event its employer, colleagues and interviewers download the same
    summary, often at once: the requests for it share one render, and the PDF made is kept
    for the next. Different PDFs beyond the pool's limit are not queued for minutes: the
    answer is 503 with Retry-After at once, and the pool is usable afterwards."""
    event = await big_event(db, 60)
    other = await big_event(db, 20, organization_id=event.organization_id)
    await log_in(http, base_url, (await org_user(db, event))["email"])
    workers = app_server[PDF_WORKERS]
    monkeypatch.setattr(workers, "max_pending", 1)
    renders = []
    render = workers._render
    # The first render waits until the other summary has been asked for: the requests' order
    # on the server is not the order they were sent in.
    render_started, other_answered = asyncio.Event(), asyncio.Event()

    async def counted(html: str) -> bytes:
        renders.append(html)
        render_started.set()
        await other_answered.wait()
        return await render(html)

    monkeypatch.setattr(workers, "_render", counted)

    async def fetch(event_id: int) -> tuple[int, str | None, bytes]:
        async with http.get(f"{base_url}/events/{event_id}/summary.pdf") as response:
            return response.status, response.headers.get("Retry-After"), await response.read()

    same = [asyncio.create_task(fetch(event.id)) for _ in range(3)]
    await asyncio.wait_for(render_started.wait(), 60)
    refused = await fetch(other.id)
    other_answered.set()
    answers = [*await asyncio.gather(*same), refused]
    assert [status for status, _, _ in answers] == [200, 200, 200, 503], answers
    assert answers[3][1] == "10"
    assert len({body for _, _, body in answers[:3]}) == 1 and len(renders) == 1  # one render, one PDF
    assert workers.pending == 0
    # The next request for it gets the PDF made; the other summary now has room.
    assert (await fetch(event.id))[2] == answers[0][2] and len(renders) == 1
    assert (await fetch(other.id))[0] == 200 and len(renders) == 2
