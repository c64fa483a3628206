"""The summary as a PDF, rendered by xhtml2pdf in worker processes (the CSV: csv_file.py).

The PDF's HTML is made from a template in the request's language (cheap, on the event loop);
turning it into a PDF holds the GIL and takes long for a large event (about a minute for
5,000 interviews, 1,200 pages, on one core), so it runs in a process pool of its own and the
server keeps answering meanwhile. The requests for the same summary share one render, and
the PDF made is kept for the next ones: after a large event its employer, colleagues and
every interviewer download the same summary, often at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import multiprocessing
import os
import re
import signal
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from app.keys import PDF_WORKERS
from app.summary.script_fonts import font_dirs as script_font_dirs
from app.summary.script_fonts import with_script_fonts

log = logging.getLogger(__name__)


# DejaVu Sans has å, ä, ö and every other letter a name may hold; it is embedded in the PDF
# (Debian package fonts-dejavu-core, which scripts/bootstrap installs).
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
# xhtml2pdf's own limit on one render: a national event's summary (10,000 interviews) takes
# a few minutes; past this it is a render gone wrong.
RENDER_SECONDS_LIMIT = 600
# The PDFs kept for the next request for the same summary: the newest, this many bytes in
# all, and none for longer than KEPT_SECONDS (a summary changes as notes are saved, and a
# candidate erased must not stay in memory in an old one).
KEPT_BYTES = 64 * 1024 * 1024
KEPT_SECONDS = 3600.0
# What differs between two renders of the same summary: the time it was made
# (web/templates/summary/pdf.html).
MADE_LINE = re.compile(r"<!--made-->.*?<!--/made-->", re.DOTALL)


class PdfUnavailable(Exception):
    """No PDF could be made (fonts missing, or the worker died): the caller answers 503."""


class PdfBusy(PdfUnavailable):
    """As many PDFs are being made or waiting as the pool takes: try again in a moment."""


def font_dir() -> Path:
    for folder in FONT_DIRS:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    raise PdfUnavailable("DejaVu Sans not found: install the Debian package fonts-dejavu-core")


def font_files() -> dict[str, str]:
    folder = font_dir()
    return {weight: str(folder / name) for weight, name in FONT_FILES.items()}


def ignore_interrupts() -> None:
    """Worker start-up: Ctrl-C reaches the whole process group; the parent stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def html_to_pdf(html: str, allowed_dir: str) -> bytes:
    """Runs in a worker process. Reads nothing but the fonts in `allowed_dir` and those of
    the scripts DejaVu Sans lacks (app/summary/script_fonts.py)."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)
    html = with_script_fonts(html)
    policy = ResourceAccessPolicy.server(
        allowed_dir,
        extra_roots=script_font_dirs(),
        allow_remote=False,
        max_render_seconds=RENDER_SECONDS_LIMIT,
    )
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=policy)
    if result.err:
        raise RuntimeError(f"xhtml2pdf reported {result.err} error(s)")
    return _showing_its_title(output.getvalue())


def _showing_its_title(pdf: bytes) -> bytes:
    """A viewer names the window by the document's title, not its file name (WCAG 2.4.2,
    technique PDF18): /DisplayDocTitle. The file written again by pypdf (xhtml2pdf's own
    dependency), its title and language kept: 0.14 s for 300 pages that took 23 s to make."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import BooleanObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.create_viewer_preferences()[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _retrieved(task: asyncio.Task[bytes]) -> None:
    """A render's failure is each waiting request's to answer; with none left waiting, it is
    not an "exception never retrieved" (the render logged its own)."""
    if not task.cancelled():
        task.exception()


def summary_key(html: str) -> str:
    """The same for two requests' HTML when their PDFs would show the same: everything but
    the time each was made. Different people's copies differ in their HTML (an interviewer's
    leaves out what only the organization sees), so one never gets another's."""
    return hashlib.sha256(MADE_LINE.sub("", html).encode()).hexdigest()


class PdfWorkers:
    """A lazily started pool of worker processes (spawned: a fork of a running event loop
    with threads is unsafe). A dead worker breaks the pool; the next request starts anew."""

    def __init__(self, workers: int | None = None, max_pending: int | None = None):
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        # Different renders being made or waiting: beyond this a request is answered 503 at
        # once rather than queued behind renders of a minute each (the requests for a summary
        # already being made wait for that render instead, and count once).
        self.max_pending = max_pending or 4 * self.workers
        self.pending = 0
        self._executor: ProcessPoolExecutor | None = None
        # By the summary's fingerprint (`summary_key`): the PDFs made, newest last, and the
        # renders under way, which the requests for the same summary wait for.
        self._kept: OrderedDict[str, tuple[float, bytes]] = OrderedDict()  # (when made, the PDF)
        self._under_way: dict[str, asyncio.Task[bytes]] = {}

    async def render(self, html: str) -> bytes:
        key = summary_key(html)
        self._forget_old()
        if (kept := self._kept.get(key)) is not None:
            self._kept.move_to_end(key)
            return kept[1]
        made = self._under_way.get(key)
        if made is None:
            if self.pending >= self.max_pending:
                raise PdfBusy(f"{self.pending} PDFs pending")
            self.pending += 1
            # A task of its own: a request that leaves (the browser closed) stops nobody
            # else's wait for the same PDF.
            made = self._under_way[key] = asyncio.create_task(self._render_once(key, html))
            made.add_done_callback(_retrieved)
        return await asyncio.shield(made)

    async def _render_once(self, key: str, html: str) -> bytes:
        try:
            body = await self._render(html)
        finally:
            self.pending -= 1
            del self._under_way[key]
        self._keep(key, body)
        return body

    def _keep(self, key: str, body: bytes) -> None:
        self._kept[key] = (time.monotonic(), body)
        while sum(len(kept) for _, kept in self._kept.values()) > KEPT_BYTES and len(self._kept) > 1:
            self._kept.popitem(last=False)

    def _forget_old(self) -> None:
        too_old = time.monotonic() - KEPT_SECONDS
        for key in [key for key, (made, _) in self._kept.items() if made < too_old]:
            del self._kept[key]

    async def _render(self, html: str) -> bytes:
        folder = str(font_dir())
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=ignore_interrupts
            )
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, html_to_pdf, html, folder)
        except BrokenProcessPool as error:
            self.close()
            raise PdfUnavailable("the PDF worker stopped") from error
        except Exception as error:  # xhtml2pdf's own failure, e.g. past its time limit
            log.exception("the summary PDF could not be made")
            raise PdfUnavailable("the PDF could not be made") from error

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


async def pdf_workers(app):
    """cleanup_ctx: the PDF worker pool, stopped with the application."""
    app[PDF_WORKERS] = PdfWorkers()
    yield
    app[PDF_WORKERS].close()
