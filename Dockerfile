# The control plane (app/). Built by docker-compose.yml; any number of these run against one
# PostgreSQL database. Every stage starts from debian:12-slim and takes Debian's packages
# (DEPLOYMENT.md, "Images"); the Python dependencies come from PyPI, pinned by requirements.lock.

# janus.js and webrtc-adapter from npm, at the versions in web/package-lock.json.
FROM debian:12-slim AS vendor
# A build behind a TLS-inspecting proxy passes that proxy's CA bundle (DEPLOYMENT.md, "Images").
ARG NPM_CONFIG_CAFILE
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM debian:12-slim
ARG PIP_CERT
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    fonts-dejavu-core fonts-droid-fallback fonts-nanum fonts-tlwg-loma-ttf fonts-sil-abyssinica \
    fonts-symbola \
 && rm -rf /var/lib/apt/lists/*
# The dependencies first, in a layer of their own: a change to the code alone reuses it.
# Exactly the versions and hashes of requirements.lock (scripts/lock writes it from setup.cfg).
COPY requirements.lock /tmp/src/
RUN python3 -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes \
    -r /tmp/src/requirements.lock
COPY setup.py setup.cfg pyproject.toml README.md LICENSE /tmp/src/
COPY app /tmp/src/app
COPY config /tmp/src/config
COPY janus /tmp/src/janus
COPY locales /tmp/src/locales
COPY web/templates /tmp/src/web/templates
COPY web/static /tmp/src/web/static
COPY --from=vendor /web/node_modules/janus-gateway/npm/dist/janus.es.js /tmp/src/web/static/vendor/janus.es.js
COPY --from=vendor /web/node_modules/webrtc-adapter/out/adapter.js /tmp/src/web/static/vendor/adapter.js
# Installed as a wheel, which carries its templates, catalogs and static files
# (app/paths.py); the source is removed, and the process runs from an empty folder.
RUN /venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps /tmp/src \
 && rm -rf /tmp/src
WORKDIR /srv
# The git commit built (app/build_info.py): `SOURCE_COMMIT=$(git rev-parse HEAD) docker compose
# build` (DEPLOYMENT.md, "Upgrades"). Last, so that a new commit rebuilds no earlier layer.
ARG SOURCE_COMMIT=unknown
# Podman's builder (buildah 1.28, Debian 12) keys its layer cache on the build arguments a
# RUN sees but not on an ENV's value: without this RUN, an image rebuilt for a commit that
# changed none of the files copied above kept the previous commit in the ENV below.
RUN echo "building commit $SOURCE_COMMIT"
ENV SNABB_SOURCE_COMMIT=$SOURCE_COMMIT
ENV SNABB_ENV=production PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1
USER nobody
# 8080: the app; 8090: its health listener (app.health_port), for probes on the private network only.
EXPOSE 8080 8090
STOPSIGNAL SIGTERM
# Migrations take an advisory lock, so every replica may run them at start-up.
CMD ["sh", "-c", "python -m app.migrate && exec python -m app --host 0.0.0.0"]
