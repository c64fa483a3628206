"""Lists of names in the viewer's language's order: Swedish puts Å, Ä, Ö after Z, English
sorts Å and Ä as A. The rules are ICU's, in PostgreSQL through the collations that
app/migrations/0015_name_collations.sql makes, so the order does not depend on the locale
the database cluster was created with. The browsers sort the live lists by the same rules
(Intl.Collator, web/static/js/live/names.js).

    f"ORDER BY {by_name('c.name', language)}, c.id"         a list sorted in SQL
    order = await name_order(connection, names, language)   a list sorted in Python:
    sorted(rows, key=lambda row: order(row["name"]))
    f"WHERE {name_matches('c.name', '$2')}", contains(query)
                                                           a search by any part of a name

A search matches with or without accents: "Zoe" finds "Zoë" and "Ostergard" "Östergård"
(`folded`, PostgreSQL's unaccent, app/migrations/0053_searches_fold_accents.sql); each word
typed anywhere in the name, and with or without its apostrophes and hyphens: "obrien" and
"zoe ahm" find "Zoë Ö'Brien-Ähm" (`name_matches`, app/migrations/0056_name_search_by_words.sql).
Å, Ä and Ö are letters of their own in Swedish, but a search that finds more is the kinder
mistake: people type names from a keyboard without them, or as they heard them.
"""

from __future__ import annotations

import unicodedata
from typing import Callable, Iterable

import asyncpg

from app.i18n import LANGUAGES

COLLATIONS = {"sv": "names_sv", "en": "names_en"}
assert set(COLLATIONS) == set(LANGUAGES)


def by_name(column: str, language: str) -> str:
    """`column` with the language's collation, for an ORDER BY."""
    return f'{column} COLLATE "{COLLATIONS[language]}"'


async def name_order(
    connection: asyncpg.Connection, names: Iterable[str], language: str
) -> Callable[[str], int]:
    """A sort key: each of `names`' place in the language's order (one query for all)."""
    rows = await connection.fetch(
        f"SELECT name FROM unnest($1::text[]) AS given(name) ORDER BY {by_name('name', language)}",
        sorted(set(names)),
    )
    places = {row["name"]: place for place, row in enumerate(rows)}
    return lambda name: places.get(name, len(places))


def searched(query: str) -> str:
    """What was typed into a search, as it is used and shown: its spaces collapsed, composed
    (NFC) as names are stored (app/auth/validation.py clean_text), and without characters
    that cannot be in a name (controls, NUL)."""
    text = unicodedata.normalize("NFC", " ".join(query.split()))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


# What PostgreSQL's unaccent folds into LIKE's own characters (its unaccent.rules): written
# as those before they are escaped, so that a full-width "％" typed into a search is taken
# literally as "%", not turned into a wildcard by `folded` after the escaping.
LIKE_LOOKALIKES = str.maketrans({"％": "%", "﹪": "%", "＿": "_", "＼": "\\", "﹨": "\\", "∖": "\\"})


def name_matches(column: str, pattern: str) -> str:
    """SQL that is true when every word of `pattern` (a parameter holding `contains`'s
    pattern) is in `column`'s name, both folded and without apostrophes and hyphens. The
    words are read once per search (uncorrelated subqueries), not once per name: a function
    called per name took 13 times as long over 10,000 names. A search of punctuation alone
    ("-", "'") has no words: it finds the names it is in, as before (not everyone)."""
    return (
        f"CASE WHEN (SELECT cardinality(name_words({pattern}))) = 0"
        f" THEN folded({column}) ILIKE folded({pattern}) ESCAPE '\\'"
        f" ELSE name_key({column}) ILIKE ALL (ARRAY(SELECT unnest(name_words({pattern})))) END"
    )


def contains(query: str) -> str:
    """ILIKE's pattern (with ESCAPE '\\') for "contains what was typed" (`searched`), its
    wildcards taken literally, also once folded."""
    text = searched(query).translate(LIKE_LOOKALIKES)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
