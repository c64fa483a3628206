#!/venv/bin/python
"""The Janus container's health check: its WebSocket API answers `info` on loopback.
`info` needs no token, so the check holds no secret."""

import json
import os
import sys

from websockets.sync.client import connect

PORT = os.environ.get("SNABB_JANUS_SERVER_WS_PORT", "8188")
try:
    with connect(f"ws://127.0.0.1:{PORT}", subprotocols=["janus-protocol"], open_timeout=3) as ws:
        ws.send(json.dumps({"janus": "info", "transaction": "health"}))
        reply = json.loads(ws.recv(timeout=3))
except (OSError, TimeoutError, ValueError) as error:
    sys.exit(f"janus: no answer ({type(error).__name__})")
sys.exit(0 if reply.get("janus") == "server_info" else f"janus: {reply.get('janus')}")
