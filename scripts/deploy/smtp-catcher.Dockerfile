# scripts/deploy-check only: a real SMTP server that keeps every mail in a Maildir, from
# Debian's aiosmtpd, standing in for the deployment's mail relay.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-aiosmtpd \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/mail/caught
EXPOSE 1025
CMD ["python3", "-m", "aiosmtpd", "-n", "-l", "0.0.0.0:1025", "-c", "aiosmtpd.handlers.Mailbox", "/var/mail/caught"]
