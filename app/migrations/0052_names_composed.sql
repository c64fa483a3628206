-- Names are kept composed (Unicode NFC) from now on (app/auth/validation.py clean_text, the
-- event form): "ö" pasted as "o" and a combining diaeresis looked the same but was not found
-- by a search typing "ö" (the interviewers' roster, app/live/roster.py). The names already
-- stored are composed here, the same way, and so are the events' titles, descriptions,
-- questions and attributes, which the event form now sends back composed: held questions
-- (app/events/held.py) must compare equal to what they were, and a refused edit lists as
-- differing only what does (app/events/form.py differing_fields). Only rows that change
-- are written.
UPDATE candidate SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE event_interviewer SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE app_user SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE organization SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE event_question SET text = normalize(text, NFC) WHERE text IS NOT NFC NORMALIZED;
UPDATE event_attribute SET text = normalize(text, NFC) WHERE text IS NOT NFC NORMALIZED;
UPDATE event SET title = normalize(title, NFC), job_description = normalize(job_description, NFC)
    WHERE title IS NOT NFC NORMALIZED OR job_description IS NOT NFC NORMALIZED;
