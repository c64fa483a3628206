"""The HTTP handlers: each module reads the request, calls the domain code and renders a page
or answers JSON. Routes are added in app/application.py.

pages.py              rendering a page in the request's language
path_ids.py           the ids in paths: plain ASCII digits, else 404
landing.py            the front page
language.py           the language switch
health.py             /livez, /readyz, /healthz
help.py               /help for candidates and interviewers, /help/employers
form_addresses.py     GET on a form's address: to the page the form is on
texts.py              /texts/<lang>.json: the catalog for the browser's texts
waits.py              telling a refused client how long to wait
mail_form_guard.py    the limit per client on the public forms that send mail
accounts.py           log in, log out
account_support.py    what the account pages share
signup.py             sign up and its mailed confirmation
account_page.py       /account
password_reset.py     the forgotten password's mailed link
colleagues.py         inviting colleagues into the organization
events.py             the employer's events: list, create, the event page
event_changes.py      edit, publish, copy, delete an event
edit_notice.py        what the event page says a saved edit mailed, and to how many
event_notices.py      the notices of the event page and list, read from the query
event_ending.py       ending an event being held before its set end
candidate_admin.py    the employer's handling of registrations
candidate_list.py     the search and page of the registrations a row's action came from
candidate_erasure.py  seeing and erasing a candidate's data
link_locks_admin.py   the organizer's side of the limits on guessing
link_guard.py         what the PIN page and the meeting code page share
registration.py       /r/<token>: the public invite page and registration
invite_answers.py     the invite page's answers (registered, link sent again) from a signed cookie
candidate_access.py   what the candidate's /c/<token> pages share: the link, PIN form, session
candidate_page.py     /c/<token>: the candidate's personal page, and its /version for a page
                      left open before check-in
candidate_pin.py      the candidate's PIN entered on a device, and mailed again
candidate_actions.py  the candidate's calendar file, cancelling and language of mails
register_again.py     /c/<token>/register-again: the invitation's form with their details
interviewer_link.py   /i/<token>: the interviewer's link and meeting web
roster.py             /i/<token>/roster: the registered candidates, a page at a time
live_sockets.py       the candidate's and interviewer's realtime sockets
organizer_live.py     /events/<id>/live: the organizer's live view
join.py               POST /api/join: a ticket traded for what joining a room needs
join_time.py          POST /api/join/time: a page's join time, for the metrics
janus_events.py       POST /janus/events: Janus's event handler
summary.py            the summary as page, PDF and CSV
ops_page.py           /ops: the operations page
dev_mail.py           /dev/mail: the mail catcher's mails (development only)
"""
