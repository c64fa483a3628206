"""Letters that DejaVu Sans has no shapes for, in the summary PDF.

xhtml2pdf sets a run of text in one font and has no fallback of its own: a Chinese, Japanese,
Korean, Thai or Ethiopic name, or most emoji in a comment, came out as empty boxes. Here each
run of such letters in the PDF's HTML is wrapped in a span whose class names a font that has
them, and the @font-face for that font is added, only for the scripts the document holds
(the CJK font is 4 MB).

These scripts need no shaping beyond what the font's own glyphs give (Thai's marks are
placed by their widths). Scripts that do (Devanagari and the other Indic scripts, whose
letters join and reorder) are left to DejaVu Sans and print as boxes: reportlab, under
xhtml2pdf, does not shape text (docs/architecture.md, "The PDF summary").

The fonts are Debian packages that scripts/bootstrap and the Dockerfile install; a script
whose font is missing is left as before, boxes and all, rather than failing the PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class ScriptFont:
    name: str  # the CSS class and font family: "script-<name>"
    letters: str  # the code points, as the inside of a regular expression's character class
    regular: Path
    bold: Path | None = None  # None: the regular face is used for bold too

    @property
    def family(self) -> str:
        return f"script-{self.name}"

    def installed(self) -> bool:
        return self.regular.is_file()


TRUETYPE = Path("/usr/share/fonts/truetype")
SCRIPT_FONTS = (
    # Hangul before Han: the Han font (Droid Sans Fallback) has no Hangul syllables.
    ScriptFont(
        "hangul",
        "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff",
        TRUETYPE / "nanum/NanumGothic.ttf",
        TRUETYPE / "nanum/NanumGothicBold.ttf",
    ),
    # Han, kana, bopomofo, CJK punctuation and the full-width forms.
    ScriptFont(
        "han",
        "\u2e80-\u2fdf\u3000-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef",
        TRUETYPE / "droid/DroidSansFallbackFull.ttf",
    ),
    ScriptFont("thai", "\u0e00-\u0e7f", TRUETYPE / "tlwg/Loma.ttf", TRUETYPE / "tlwg/Loma-Bold.ttf"),
    ScriptFont(
        "ethiopic",
        "\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f",
        TRUETYPE / "abyssinica/AbyssinicaSIL-Regular.ttf",
    ),
    # Emoji in a candidate's comment or a note ("Spännande! 👍"), in black and white: the
    # pictographs, transport and supplemental blocks and the flags' letters. DejaVu Sans has
    # the faces (U+1F600-1F64F) and the older symbols itself. Sequences joined by U+200D
    # print as their parts.
    ScriptFont(
        "emoji",
        "\U0001f1e6-\U0001f1ff\U0001f300-\U0001f5ff\U0001f680-\U0001f6ff\U0001f900-\U0001f9ff",
        TRUETYPE / "ancient-scripts/Symbola_hint.ttf",
    ),
)

# Markup, and the elements whose text is not set on the page (the document's title goes into
# the file's properties, where a span would be read as text).
_TAG = re.compile(r"(<[^>]*>)")
_NOT_ON_PAGE = re.compile(r"<(/?)(style|title)\b", re.IGNORECASE)


@cache
def _installed() -> tuple[tuple[ScriptFont, re.Pattern[str]], ...]:
    """Each installed font with the pattern of one run of its letters: spaces between two
    letters of the same script stay inside the run (a full name in one span)."""
    return tuple(
        (font, re.compile(f"[{font.letters}]+(?:\\s+[{font.letters}]+)*"))
        for font in SCRIPT_FONTS
        if font.installed()
    )


def font_dirs() -> tuple[Path, ...]:
    """The folders the PDF's renderer must be let read, besides DejaVu Sans's."""
    return tuple(dict.fromkeys(font.regular.parent for font, _ in _installed()))


def _wrap(text: str, used: set[ScriptFont]) -> str:
    for font, run in _installed():

        def spanned(match: re.Match[str], font: ScriptFont = font) -> str:
            used.add(font)
            return f'<span class="{font.family}">{match.group(0)}</span>'

        text = run.sub(spanned, text)
    return text


def _faces(used: set[ScriptFont]) -> str:
    rules = []
    for font in SCRIPT_FONTS:
        if font in used:
            bold = font.bold if font.bold and font.bold.is_file() else font.regular
            rules += [
                f'@font-face {{ font-family: "{font.family}"; src: url("{font.regular}"); }}',
                f'@font-face {{ font-family: "{font.family}"; src: url("{bold}"); font-weight: bold; }}',
                f'.{font.family} {{ font-family: "{font.family}"; }}',
            ]
    return "\n".join(rules)


def with_script_fonts(html: str) -> str:
    """`html` (escaped text between tags, one <style> in the head) with its runs of letters
    of the scripts above set in fonts that have them."""
    used: set[ScriptFont] = set()
    parts = _TAG.split(html)
    hidden = 0  # inside <style> or <title>
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            element = _NOT_ON_PAGE.match(part)
            if element:
                hidden += -1 if element.group(1) else 1
        elif part and not hidden:
            parts[index] = _wrap(part, used)
    html = "".join(parts)
    if not used:
        return html
    return html.replace("</style>", f"\n{_faces(used)}\n</style>", 1)
