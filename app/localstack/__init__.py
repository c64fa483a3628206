"""The local stack: PostgreSQL, Janus, coturn and a mail catcher as child processes on loopback.

Used by `scripts/run` (development) and by the test harness, so both start the very same
services in the very same way.

__main__.py     scripts/run: the whole service on this machine, until Ctrl-C
stack.py        the whole stack in start-up order, and its generated secrets
restarts.py     scripts/run's watch: a service that died started again, a few tries
postgres.py     a private PostgreSQL cluster
janus_server.py a Janus server with the rendered configuration
coturn.py       coturn with the deployment's configuration and a self-signed certificate
mailcatcher.py  a real SMTP server that files every mail into a Maildir
processes.py    child processes that die with their parent and stop in order
running.py      what a running scripts/run tells the admin scripts beside it
"""
