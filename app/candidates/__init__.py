"""Candidates: registration through the event's invite link, the personal link and PIN,
reminders, and the employer's handling of registrations. The PIN's checks and the cookie
that remembers it are shared with the interviewers' codes: app/link_codes.py and
app/link_sessions.py.

rules.py         plain rules without I/O: the form, when registration is open, PIN format
queries.py       the SQL for candidate rows (the caller owns the transaction)
registration.py  registering: capacity held under concurrency, one seat per address
mails.py         the candidate's mails with their calendar entries
ics.py           the "add to calendar" download
reminders.py     the background task that sends reminders
cancellation.py  a registration ended by the candidate or the employer, mailed
erasure.py       erasing a registration (the candidate, the employer, the retention worker)
stored.py        what is stored about a candidate, for their own page
"""
