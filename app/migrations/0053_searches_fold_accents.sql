-- A search by name matches with or without the accents typed ("Zoe" finds "Zoë", "Jose"
-- "José", "Muller" "Müller", and "Ostergard" "Östergård"): both sides folded by unaccent
-- (a trusted extension: the database's owner may create it). `folded` wraps it with its
-- dictionary named, so the result does not depend on the search path, and marked immutable,
-- as the dictionary does not change under a running service (app/names.py).
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION folded(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN unaccent('unaccent'::regdictionary, $1);
