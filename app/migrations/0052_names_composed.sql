-- Names are kept composed (Unicode NFC) from now on (app/auth/validation.py clean_text, the
-- event form): "ö" pasted as "o" and a combining diaeresis looked the same but was not found
-- by a search typing "ö" (the interviewers' roster, app/live/roster.py). The names already
-- stored are composed here, the same way. Only rows that change are written.
UPDATE candidate SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE event_interviewer SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE app_user SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE organization SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
