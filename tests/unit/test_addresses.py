"""Addresses with an internationalized domain: mailed in its ASCII form, shown as written."""

from __future__ import annotations

from app.addresses import ascii_domain, readable_domain
from app.i18n import Renderer


def test_an_address_goes_to_ascii_and_back_as_written():
    assert ascii_domain("åsa@exämple.se") == "åsa@xn--exmple-cua.se"
    assert readable_domain("åsa@xn--exmple-cua.se") == "åsa@exämple.se"
    assert readable_domain("ASA@XN--EXMPLE-CUA.SE") == "ASA@exämple.SE"  # a domain has no case
    for plain in ("anna@example.se", "no-at-sign", "", "a@b@example.se"):
        assert readable_domain(plain) == plain
    # Only Latin letters come back: a Cyrillic label may imitate a Latin name ("аррӏе" for
    # "apple"), and a right-to-left one would reorder the address around it.
    assert readable_domain("a@xn--80ak6aa92e.com") == "a@xn--80ak6aa92e.com"
    assert ascii_domain("a@مثال.se") == readable_domain(ascii_domain("a@مثال.se"))
    assert readable_domain("a@xn--mller-kva.xn--exmple-cua.se") == "a@müller.exämple.se"
    # Not a valid ASCII form: shown as stored, never an error on a page.
    assert readable_domain("a@xn--.se") == "a@xn--.se"
    assert readable_domain("a@xn--zz-ÿ.se") == "a@xn--zz-ÿ.se"


def test_pages_show_the_address_as_written(tmp_path):
    (tmp_path / "t.html").write_text("{{ address | readable_address }}")
    renderer = Renderer(templates_dir=tmp_path)
    assert renderer.render("sv", "t.html", {"address": "åsa@xn--exmple-cua.se"}) == "åsa@exämple.se"
