# The Plenum backend and the simulated data hall: one image, run as two services by docker-compose.yml.
# Node 20 as in development; python3/make/g++ because better-sqlite3 compiles when no prebuilt binary fits.
FROM node:20.20.2-bookworm-slim

RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# every workspace's package.json, because the lockfile names them all; only the backend's dependencies
# (and the root's tsx) are installed
COPY package.json package-lock.json ./
COPY model/package.json model/
COPY backend/package.json backend/
COPY datasource/package.json datasource/
COPY panels/rack-heatmap/package.json panels/rack-heatmap/
COPY panels/cooling-correlation/package.json panels/cooling-correlation/
COPY panels/automation/package.json panels/automation/
COPY harness/package.json harness/
RUN npm ci --no-audit --no-fund -w model -w backend --include-workspace-root

COPY model model
COPY backend backend
COPY schema schema
COPY plenum.yaml ./

RUN mkdir -p /data && chown node:node /data
USER node
ENV PLENUM_DATA=/data
# the site config; `docker run -e PLENUM_CONFIG=/etc/plenum/site.yaml -v …` picks another (no --config below, which
# would win over the variable)
ENV PLENUM_CONFIG=/app/plenum.yaml
VOLUME /data
EXPOSE 8080 4840 5020 9400 4900

# the backend; the simulator service overrides the command (see docker-compose.yml)
CMD ["node_modules/.bin/tsx", "backend/src/main.ts"]
