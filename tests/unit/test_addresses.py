"""Addresses with an internationalized domain: mailed in its ASCII form, shown as written."""

from __future__ import annotations

from app.addresses import ascii_domain, readable_breaking_at_at_first, readable_domain
from app.auth.validation import is_email
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


def test_a_domain_is_converted_as_browsers_and_mail_systems_do():
    """UTS #46 without the transitional mappings: IDNA 2003 (Python's "idna" codec) made
    straße.de strasse.de, another domain, and dropped a joiner without a word."""
    assert ascii_domain("anna@straße.de") == "anna@xn--strae-oqa.de"
    assert readable_domain("anna@xn--strae-oqa.de") == "anna@straße.de"
    assert ascii_domain("ÅSA@EXÄMPLE.SE") == "ÅSA@xn--exmple-cua.se"
    # A joiner where the rules allow none: not converted, so the address checks refuse it.
    assert ascii_domain("zw@exa\u200cmple.com") == "zw@exa\u200cmple.com"
    assert not is_email(ascii_domain("zw@exa\u200cmple.com"))


def test_only_the_letters_of_european_alphabets_are_shown_as_written():
    for written in (
        "a@müller.se",
        "a@žšč.si",
        "a@łódź.pl",
        "a@ærø.dk",
        "a@français.fr",
        "a@straße.de",
        "a@țară.ro",
        "a@sápmi-ŋŧ.no",
        "a@żółw.pl",
    ):
        assert readable_domain(ascii_domain(written)) == written, written
    # The Latin script's own rarer letters imitate common ones: ǀ (a click) for l, ı
    # (dotless) for i, ɢ for G, a dot below for a speck of dust.
    for lookalike in ("ceo@appǀe.com", "bo@mıcrosoft.com", "x@ɢoogle.com", "x@ạpple.com", "x@ȧpple.com"):
        stored = ascii_domain(lookalike)
        assert stored != lookalike and readable_domain(stored) == stored, lookalike


def test_pages_show_the_address_as_written(tmp_path):
    (tmp_path / "t.html").write_text("{{ address | readable_address }}")
    renderer = Renderer(templates_dir=tmp_path)
    assert renderer.render("sv", "t.html", {"address": "åsa@xn--exmple-cua.se"}) == "åsa@exämple.se"


def test_an_address_in_a_table_breaks_at_its_at_first_then_at_dots_and_is_escaped():
    part = '<span class="address-part">{}</span>'.format
    assert str(readable_breaking_at_at_first("anna@xn--exmple-cua.se")) == (
        part("anna") + "<wbr>" + part("@exämple<wbr>.se")
    )
    assert str(readable_breaking_at_at_first("annakarin.johansson.lindqvist@foretaget.se")) == (
        part("annakarin<wbr>.johansson<wbr>.lindqvist") + "<wbr>" + part("@foretaget<wbr>.se")
    )
    # Only the last "@" parts the address ("a@b"@example.se is a valid local part).
    assert str(readable_breaking_at_at_first('a<b>"@x@example.se')) == (
        part("a&lt;b&gt;&#34;@x") + "<wbr>" + part("@example<wbr>.se")
    )
    assert str(readable_breaking_at_at_first("no-at-<sign>")) == "no-at-&lt;sign&gt;"
