"""A process that takes something and dies holding it, for test_live_dead_process.py.

`python -m tests.integration.dying_process dispatch <interviewer id>`: commits a dispatch
(the real dispatcher, naming itself the room's maker) and stops where it would make the room.
`python -m tests.integration.dying_process claim-mail <address>`: puts a mail to that address
in the outbox (without the NOTIFY that would wake the other workers), claims it (the real
mail worker's claim) and stops where it would send it.

Either way it registers itself as a live process first (as an app process does at start),
prints one JSON line with what it holds, and waits for the test to kill it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid

import asyncpg

from app.live import dispatch
from app.mail import store
from app.settings import load_settings


async def main(mode: str, target: str) -> None:
    settings = load_settings()
    connection = await asyncpg.connect(settings.database.url.get_secret_value())
    pool = await asyncpg.create_pool(settings.database.url.get_secret_value(), min_size=1, max_size=2)
    process = uuid.uuid4()
    await connection.execute("INSERT INTO live_process (id) VALUES ($1)", process)
    if mode == "dispatch":
        offer = await dispatch.dispatch(pool, int(target), settings.live, maker=process)
        held = {"interview": offer.interview_id, "candidate": offer.candidate_id}
    else:
        mail_id = await connection.fetchval(
            """
            INSERT INTO mail_outbox (message_id, to_address, to_name, language, template,
                                     subject, text_body, html_body)
            VALUES ('<' || gen_random_uuid() || '@test>', $1, 'Kim', 'sv', 'test', 'Hej',
                    'Hej Kim', '<p>Hej Kim</p>')
            RETURNING id""",
            target,
        )
        # Due rows are taken in their order: others due are held (and released) too.
        mail = await store.claim_next(connection, lease_seconds=600, worker="dying", process=process)
        while mail is not None and mail.id != mail_id:
            mail = await store.claim_next(connection, lease_seconds=600, worker="dying", process=process)
        held = {"mail": None if mail is None else mail.id}
    print(json.dumps({"process": str(process), **held}), flush=True)
    await asyncio.Event().wait()  # killed here, holding it


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
