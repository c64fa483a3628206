"""The texts an event-day page carries for its scripts (app/script_texts.py)."""

from __future__ import annotations

import json
import re

from app.i18n import Renderer
from app.script_texts import catalog_texts, page_texts_tag, script_msgids, script_texts

SWEDISH = Renderer().translations["sv"]


def test_the_scripts_texts_and_only_those():
    texts = script_texts(SWEDISH)
    assert texts["Connected."] == "Ansluten."  # drawn by web/static/js/live/channel.js's pages
    assert "Your personal page" not in texts  # a template's: the server draws it
    assert set(texts) < set(catalog_texts(SWEDISH))
    assert {key.split("\u0000")[0] for key in texts} <= script_msgids()


def test_the_tag_is_a_json_data_block_nothing_can_end_early():
    tag = str(page_texts_tag(SWEDISH))
    match = re.fullmatch(r'<script type="application/json" id="page-texts">(.*)</script>', tag, re.S)
    assert match and "<" not in match.group(1) and "&" not in match.group(1)
    assert json.loads(match.group(1)) == script_texts(SWEDISH)
