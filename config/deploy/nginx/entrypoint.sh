#!/bin/sh
# nginx re-resolves the replicas' and Janus servers' names (a container that is started
# again gets a new address); it needs the compose network's DNS server by address, which
# is the first nameserver of this container's resolv.conf (Docker's and Podman's differ).
set -eu
dns=$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf)
case "$dns" in *:*) dns="[$dns]" ;; esac
echo "resolver ${dns:?no nameserver in /etc/resolv.conf} valid=5s ipv6=off;" > /etc/nginx/resolver.conf
exec nginx -g 'daemon off;'
