#!/bin/sh
# Render this server's Janus configuration from the environment, then become Janus.
set -eu
: "${JANUS_SERVER_NAME:?set JANUS_SERVER_NAME, e.g. janus1}"
/venv/bin/python -m app.janus_config /etc/janus-rendered --server-name "$JANUS_SERVER_NAME"
exec janus --config /etc/janus-rendered/janus.jcfg --configs-folder /etc/janus-rendered --disable-colors
