"""DEPLOYMENT.md, "Backups and restore": after a restore the operator redoes the erasures made
since the backup, found in the log by the line erase_candidate writes, with the snippet the
page gives. Both checked here against the real database, so the page stays true to the code."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from app.candidates.erasure import erase_candidate
from tests import factories
from tests.candidate_support import make_event

PAGE = (Path(__file__).resolve().parents[2] / "DEPLOYMENT.md").read_text()


def redo_erasure_snippet() -> str:
    found = re.search(r"python - 17 candidate <<'EOF'\n(.*?)\n  EOF\n", PAGE, re.DOTALL)
    assert found, "DEPLOYMENT.md lost its erasure snippet"
    return textwrap.dedent(found[1])


async def test_the_log_line_the_page_shows_is_the_one_written(db, caplog):
    event = await make_event(db)
    candidate = await factories.add_candidate(db, event["id"])
    with caplog.at_level(logging.INFO, logger="app.candidates.erasure"):
        assert await erase_candidate(db, candidate["id"], "candidate") is not None
    written = [r.getMessage() for r in caplog.records if r.name == "app.candidates.erasure"]
    assert written == [f"candidate {candidate['id']} of event {event['id']} erased (by candidate)"]
    assert "`candidate 17 of event 4 erased (by candidate)`" in PAGE
    assert "from logger `app.candidates.erasure`" in PAGE


async def test_the_snippet_erases_a_restored_candidate_once(db, stack):
    event = await make_event(db)
    candidate = await factories.add_candidate(db, event["id"], name="Kim Återställd")
    for printed in ("Erased(", "None"):  # the second time: erased already, nothing changes
        done = subprocess.run(
            [sys.executable, "-", str(candidate["id"]), "employer"],
            input=redo_erasure_snippet(),
            env=stack.environ,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(printed), done.stdout
    row = await db.fetchrow("SELECT name, erased_by, erased_at FROM candidate WHERE id = $1", candidate["id"])
    assert (row["name"], row["erased_by"]) == ("–", "employer") and row["erased_at"] is not None
