# The control plane (app/). Built by docker-compose.yml; any number of these run against one
# PostgreSQL database.

# janus.js and webrtc-adapter from npm, at the versions in web/package-lock.json.
FROM node:20-slim AS vendor
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/snabbintervjuer
COPY setup.cfg pyproject.toml README.md LICENSE ./
COPY app ./app
COPY config ./config
COPY locales ./locales
COPY web/templates ./web/templates
COPY web/static ./web/static
COPY --from=vendor /web/node_modules/janus-gateway/npm/dist/janus.es.js ./web/static/vendor/janus.es.js
COPY --from=vendor /web/node_modules/webrtc-adapter/out/adapter.js ./web/static/vendor/adapter.js
RUN python3 -m venv /venv \
 && /venv/bin/pip install --no-cache-dir . \
 && /venv/bin/pybabel compile -d locales -D messages
ENV SNABB_ENV=production PATH=/venv/bin:$PATH
USER nobody
EXPOSE 8080
# Migrations take an advisory lock, so every replica may run them at start-up.
CMD ["sh", "-c", "python -m app.migrate && exec python -m app --host 0.0.0.0"]
