# syntax=docker/dockerfile:1
# The ops worker: `node bin/ops.js worker`, connected to the Temporal named by TEMPORAL_ADDRESS etc.
# docker-compose.temporal.yml runs it next to a Temporal service; test/deploy/compose-file.test.ts
# keeps this file in step with the code.
FROM node:20.20.2-bookworm-slim

# pg_dump refuses servers of a newer major than its own, and bookworm's postgresql-client is 15,
# so the client comes from the PostgreSQL project's apt repository (PGDG). Set this to the newest
# major you back up: a dump is only guaranteed to restore into the same major or newer.
ARG PG_CLIENT_MAJOR=17

# The tools the activities shell out to: pg_dump/pg_restore, mariadb-dump/mariadb, rsync, ssh, zstd
# (gzip, and util-linux's setpriv that runs every tool with a parent-death signal, are part of every
# Debian base). postgresql-common ships PGDG's setup script and signing key.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends \
      postgresql-client-${PG_CLIENT_MAJOR} \
      mariadb-client \
      rsync \
      openssh-client \
      zstd \
      age \
      git \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so that a source change does not reinstall them. --omit=dev keeps tsx and
# its esbuild: bin/ops.js runs a build of the sources made with esbuild (tsx is the fallback).
COPY package.json package-lock.json ./
# npm install, not npm ci: the lock records only the optional native packages of the platform it
# was written on, which npm ci rejects; npm install still takes the locked versions.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY src ./src
COPY ops.config.example.yaml ./
# The CLI's build, made now: at run time the image's user cannot write to /app.
RUN node bin/cli-build.js

# The compose file mounts the config at /etc/ops and a volume at /etc/ops/.ops, where the config's
# relative stateDir, repository and reports land. A fresh named volume takes this directory's owner.
RUN mkdir -p /etc/ops/.ops && chown 1000:1000 /etc/ops/.ops

# The base image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

# Prometheus metrics (config metrics.port). The health check needs the endpoint: it fails if the
# config moves the port or the worker runs with --no-metrics.
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/metrics').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "bin/ops.js"]
CMD ["worker"]
