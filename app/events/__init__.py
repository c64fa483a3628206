"""Interview events: the employer's self-service (create, edit, copy, delete, publish).

form.py      the event form parsed and checked, without I/O
rules.py     plain rules: interview slots, Swedish local times
queries.py   the SQL for events, their questions, attributes and interviewers
workflow.py  creating, changing, publishing, deleting: the rows and the mails together
held.py      what interviews already held pin down, so that an edit cannot undo it
notify.py    the mails an event sends, with calendar entries
tokens.py    link tokens, six-digit codes and calendar UIDs
"""
