"""Candidates: registration through the event's invite link, the personal link and PIN,
reminders, and the employer's handling of registrations.

rules.py         plain rules without I/O: the form, when registration is open, PIN locks
queries.py       the SQL for candidate rows (the caller owns the transaction)
registration.py  registering: capacity held under concurrency, one seat per address
mails.py         the candidate's mails with their calendar entries
pin.py           checking a PIN with locks against guessing
session.py       the signed cookie that remembers a right PIN on one device
ics.py           the "add to calendar" download
reminders.py     the background task that sends reminders
erasure.py       erasing a registration (the candidate, the employer, the retention worker)
stored.py        what is stored about a candidate, for their own page
"""
