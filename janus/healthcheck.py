#!/venv/bin/python
"""The Janus container's health check: its WebSocket API answers `info` where it listens
(loopback when it listens on every address; the address itself when it is bound to one, as
on a host of its own). `info` needs no token, so the check holds no secret."""

import json
import os
import sys

from websockets.sync.client import connect

PORT = os.environ.get("SNABB_JANUS_SERVER_WS_PORT", "8188")
BIND = os.environ.get("SNABB_JANUS_SERVER_BIND_IP", "").strip()
HOST = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(
    BIND, f"[{BIND}]" if ":" in BIND else BIND
)
try:
    with connect(f"ws://{HOST}:{PORT}", subprotocols=["janus-protocol"], open_timeout=3) as ws:
        ws.send(json.dumps({"janus": "info", "transaction": "health"}))
        reply = json.loads(ws.recv(timeout=3))
except (OSError, TimeoutError, ValueError) as error:
    sys.exit(f"janus: no answer ({type(error).__name__})")
sys.exit(0 if reply.get("janus") == "server_info" else f"janus: {reply.get('janus')}")
