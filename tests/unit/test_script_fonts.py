"""The summary PDF's runs of letters DejaVu Sans lacks, set in fonts that have them."""

from __future__ import annotations

import re

from app.summary.script_fonts import SCRIPT_FONTS, with_script_fonts


def test_every_font_is_installed():
    """scripts/bootstrap installs them; a missing one would leave its script as boxes."""
    assert [font.regular for font in SCRIPT_FONTS if not font.installed()] == []


PAGE = "<html><head><title>{title}</title><style>body {{ }}</style></head><body>{body}</body></html>"


def test_a_run_of_each_script_is_one_span_and_latin_text_is_left_alone():
    html = with_script_fonts(
        PAGE.format(title="t", body="<p>Anna Åström, 山田 はなこ, 김민준 &amp; <b>สมชาย ใจดี</b></p>")
    )
    body = html.split("<body>")[1]
    assert body == (
        '<p>Anna Åström, <span class="script-han">山田 はなこ</span>, <span class="script-hangul">김민준</span>'
        ' &amp; <b><span class="script-thai">สมชาย ใจดี</span></b></p></body></html>'
    )


def test_only_the_fonts_the_document_uses_are_declared():
    html = with_script_fonts(PAGE.format(title="t", body="<p>አበበ ቢቂላ</p>"))
    families = set(re.findall(r'font-family: "(script-[a-z]+)"', html))
    assert families == {"script-ethiopic"}
    assert "AbyssinicaSIL-Regular.ttf" in html


def test_emoji_dejavu_lacks_are_set_in_the_emoji_font_and_its_faces_are_not():
    html = with_script_fonts(PAGE.format(title="t", body="<p>Spännande! 👍🚀 😀</p>"))
    assert '<p>Spännande! <span class="script-emoji">👍🚀</span> 😀</p>' in html
    assert "Symbola_hint.ttf" in html


def test_nothing_changes_without_such_letters():
    html = PAGE.format(title="Kundtjänst", body="<p>Märta Ölund · محمد · Ἀλέξανδρος</p>")
    assert with_script_fonts(html) == html


def test_the_title_and_the_style_are_not_marked_up():
    html = with_script_fonts(PAGE.format(title="王小明", body="<p>王小明</p>"))
    assert "<title>王小明</title>" in html
    assert html.count('<span class="script-han">') == 1
