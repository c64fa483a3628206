"""Snabbintervjuer: the control plane for speed video interviews.

How the parts fit, the rules and where each is enforced: docs/architecture.md. The module
map (each package's own map is in its __init__.py):

__main__.py      `python -m app`: load the settings and run create_app, nothing else
application.py   create_app: middlewares, cleanup_ctx resources, routes
settings.py      TOML files layered with environment variables, validated at start-up
keys.py          the typed AppKeys handlers share
paths.py         where templates, static files, catalogs and settings files are
db.py            the asyncpg pool
migrate.py       numbered SQL migrations, checksummed, under an advisory lock
migrations/      the SQL files migrate.py applies
seed.py          the demo data of scripts/run
provision.py     scripts/provision: organizations, users, operators
build_info.py    the version and git commit this process runs (log, /metrics, /ops)
staff_erasure.py erasing an employer's user or interviewer on request (provision erase-person)
middleware.py    the page language, errors as friendly pages, unreadable charsets refused
request_ids.py   a request id on every log record and error page
headers.py       security headers and the CSP on every response
unreadable_requests.py the page (both languages) for a request aiohttp cannot read at all
logs.py          logging that redacts secrets, as text or JSON lines
metrics.py       /metrics for Prometheus
health_checks.py what /livez, /readyz, /healthz answer, on either listener
health_listener.py those three on a port of their own: a child process started, fed a heartbeat, restarted
health_process.py the child: `python -m app.health_process` answers them off the main process
gc_tuning.py     the garbage collector frozen and thawed by the live sockets admitted and closed
background.py    work started and not awaited, held until done (failures logged by type)
outages.py       the database away: logged once by each loop that meets it, and once when back
open_files.py    the open files' limit: taken whole at start; the live sockets stop short of it
after_answer.py  what a form does after its answer, when doing it before would tell who is registered
ops.py           what the operations page and `provision list-live` show
ops_database.py  the database as the operations page shows it (connections, locks, size)
i18n.py          Swedish and English: negotiation, catalogs, the Jinja renderer
script_texts.py  the catalogs as the browser's scripts get them, and the part pages carry
rendered_once.py a template rendered once per shared context, personal values spliced in
timefmt.py       event times in Swedish time, in the reader's language
names.py         lists of names in the viewer's language's order
addresses.py     e-mail addresses' domains: ASCII to send, as written to show
passwords.py     Argon2id hashing
throttle.py      the limits on guessing as plain rules without I/O
guessing.py      checking a PIN, code or password under those limits, stored in PostgreSQL
mail_forms.py    how many mail-sending public forms one client may post in an hour
known_devices.py the `device` cookie: a browser that got a secret right before
link_codes.py    the six-digit PINs and meeting codes behind personal links
link_sessions.py the cookie that remembers a right PIN or code on one device
tickets.py       JWT tickets into one Janus room, and the signed media tags
turn.py          per-ticket TURN credentials (coturn's shared secret)
janus_config.py  rendering the Janus configuration templates in janus/
janus_admin.py   scripts/janus: list, add, cordon, drain and remove Janus servers
retention.py     the worker that erases what is past its retention time
auth/            accounts: sessions, CSRF, log-in limits, sign-ups, links
events/          the employer's events
candidates/      registrations, the personal page's data, reminders, erasure
live/            the event day: queue, dispatcher, interviews, realtime channel
janus/           the only way to Janus
mail/            the outbox and its worker
summary/         the summary as page, CSV and PDF
views/           the HTTP handlers
localstack/      PostgreSQL, Janus, coturn and a mail catcher as child processes
"""
