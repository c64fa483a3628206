-- Names are kept composed (Unicode NFC) from now on (app/auth/validation.py clean_text, the
-- event form): "ö" pasted as "o" and a combining diaeresis looked the same but was not found
-- by a search typing "ö" (the interviewers' roster, app/live/roster.py). The names already
-- stored are composed here, the same way, and so are the questions and attributes, which
-- the event form now sends back composed: held ones (app/events/held.py) must compare
-- equal to what they were. Only rows that change are written.
UPDATE candidate SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE event_interviewer SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE app_user SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE organization SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE event_question SET text = normalize(text, NFC) WHERE text IS NOT NFC NORMALIZED;
UPDATE event_attribute SET text = normalize(text, NFC) WHERE text IS NOT NFC NORMALIZED;
