#!/bin/sh
# The shared secret, the realm and the addresses come from the environment; they are
# written into a configuration file readable by root only, never put on a command line
# (where `ps` shows them). coturn drops to its own user after reading it and the certificate.
set -eu
: "${TURN_SECRET:?set TURN_SECRET}" "${TURN_REALM:?set TURN_REALM}"
umask 077
conf=/run/turnserver.conf
# The relay port range comes from the environment too: docker-compose.yml publishes the
# same range, so the two cannot differ (DEPLOYMENT.md, "Sizing").
grep -v -e '^min-port=' -e '^max-port=' /etc/coturn/turnserver.conf > "$conf"
{
  echo "min-port=${TURN_RELAY_MIN_PORT:-49160}"
  echo "max-port=${TURN_RELAY_MAX_PORT:-49260}"
  echo "static-auth-secret=$TURN_SECRET"
  echo "realm=$TURN_REALM"
  [ -z "${TURN_EXTERNAL_IP:-}" ] || echo "external-ip=$TURN_EXTERNAL_IP"
  # Exceptions to the denied ranges, e.g. Janus servers on a private network of their own.
  for range in ${TURN_ALLOWED_PEER_IPS:-}; do echo "allowed-peer-ip=$range"; done
} >> "$conf"
exec turnserver -c "$conf"
