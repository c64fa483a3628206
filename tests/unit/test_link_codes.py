from __future__ import annotations

import pytest

from app.link_codes import typed_code


@pytest.mark.parametrize(
    "typed, digits",
    [
        ("399147", "399147"),
        (" 399 147 ", "399147"),
        ("399-147", "399147"),
        ("399\u2013147", "399147"),  # an en dash, as a word processor makes it
        ("３９９１４７", "399147"),  # full-width digits
        ("399\u00a0147", "399147"),  # a no-break space
        ("399x147", "399x147"),  # a letter stays, to be refused
        ("٣٩٩١٤٧", "٣٩٩١٤٧"),  # other scripts' digits are not folded by NFKC: refused
        ("①②③④⑤⑥", "123456"),  # circled digits are (harmless: the same six digits)
    ],
)
def test_a_code_as_typed_or_pasted(typed, digits):
    assert typed_code(typed) == digits
