-- A search by name matches each word typed anywhere in the name, and leaves out the
-- punctuation names are written with: "obrien" and "zoe ahm" find "Zoë Ö'Brien-Ähm"
-- ("any part of a name" before meant one unbroken run of it, apostrophes and hyphens
-- included). Both sides are folded as before (0053: accents typed or not).

-- A name (or a search) folded and without apostrophes, hyphens, dots and commas.
CREATE FUNCTION name_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN translate(folded($1), $$'’‘ʼʻ`´-‐‑–—−.,$$, '');

-- `pattern`: app/names.py contains()'s ILIKE pattern of what was typed ('%…%', its
-- wildcards escaped with '\', LIKE's default escape): one such pattern per word of it, each
-- as name_key has it. A name matches when its name_key is ILIKE ALL of them
-- (app/names.py name_matches, which reads them once per search, not once per name).
CREATE FUNCTION name_words(pattern text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN ARRAY(
        SELECT '%' || word || '%'
        FROM regexp_split_to_table(substr(name_key(pattern), 2, length(name_key(pattern)) - 2), ' +') AS word
        WHERE word <> '');
