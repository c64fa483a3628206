-- Names sort by the viewer's language's rules (Swedish: … Z, Å, Ä, Ö; English: Å as A),
-- whatever locale the database cluster was created with (C.UTF-8 sorts by code point).
-- ICU collations of our own, so no query depends on what initdb imported; app/names.py is
-- the one place that names them.
CREATE COLLATION IF NOT EXISTS names_sv (provider = icu, locale = 'sv-SE');
CREATE COLLATION IF NOT EXISTS names_en (provider = icu, locale = 'en-GB');
