# One Dockerfile for every image of the stack; compose picks a target.
#   nginx     the front door: nginx/ rendered from its template at start-up
#   service   one Node service (build arg SERVICE), production dependencies only
#   devtools  maildev, for the dev and test profiles
#   tests     the e2e suite with Debian's Chromium
# Base images are build arguments so machines without a registry can use the
# stand-ins from scripts/docker (docker-compose.offline.yml).
# Only classic-builder features (docker-compose 1.29.2 builds without BuildKit),
# which also builds every stage before the target: the cheap ones come first.
# For the layer cache, what changes with every commit (the sources) comes after
# what changes rarely (the manifests and lock file: the installs; Chromium), so a
# change to the sources alone rebuilds tsc and the assets, not the dependencies.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG NGINX_IMAGE=nginx:1.27

FROM ${NGINX_IMAGE} AS nginx
USER root
# Non-root nginx: its prefix (pid, temp files) in /tmp/nginx, conf.d writable
# for the template step of the image's entrypoint. curl for the healthcheck.
RUN rm -f /etc/nginx/conf.d/default.conf \
 && mkdir -p /tmp/nginx \
 && chown -R nginx:nginx /tmp/nginx /etc/nginx/conf.d \
 && if ! command -v curl >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*; \
    fi
COPY nginx/nginx.conf /etc/nginx/nginx.conf
COPY nginx/includes/ /etc/nginx/includes/
COPY nginx/templates/ /etc/nginx/templates/
USER nginx
EXPOSE 8080
# Graceful: finish requests in flight.
STOPSIGNAL SIGQUIT
CMD ["nginx", "-p", "/tmp/nginx/", "-e", "stderr", "-g", "daemon off;"]

# The package manifests and the lock file alone (and the image scripts). This
# stage runs on every change, but its result changes only with a manifest, and
# the installs below start from its result (COPY --from compares contents).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json ! -name .npmrc ! -path './scripts/image/*' -delete \
 && find . -type d -empty -delete

# Every dependency, dev ones included: the build and the tests need them.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /app/ ./
RUN npm ci --no-audit --no-fund

# Everything compiled: tsc -b, then each workspace's asset build.
FROM deps AS build
COPY . .
RUN npx tsc -b \
 && npm run build:assets --workspaces --if-present

# One service's production dependencies (build arg SERVICE) in /prod-deps, from
# the manifests alone and the npm cache npm ci filled. Without SERVICE (the
# classic builder passes through here on the way to later targets) it is empty.
FROM deps AS prod-deps
ARG SERVICE=
RUN mkdir /prod-deps \
 && if [ -n "$SERVICE" ]; then \
      sh scripts/image/production-deps.sh "services/$SERVICE" \
      && cp -a /app/. /prod-deps/; \
    fi

# Just the files the service runs: the built tree with its dependencies swapped
# for the production ones.
FROM build AS prod
ARG SERVICE=
COPY --from=prod-deps /prod-deps/ /prod-deps/
RUN mkdir /out \
 && if [ -n "$SERVICE" ]; then \
      rm -rf node_modules packages/*/node_modules services/*/node_modules \
      && cp -a /prod-deps/. . \
      && SERVICE="$SERVICE" sh scripts/image/assemble.sh /out; \
    fi

# What the mirror pushes: Gatehouse's source as given to the build, with the
# manifest the mirror reads in place of .git (scripts/image/source-snapshot.sh).
# Other services get an empty directory. GATEHOUSE_COMMIT names the version.
FROM ${NODE_IMAGE} AS source
ARG SERVICE=
ARG GATEHOUSE_COMMIT=
WORKDIR /src
COPY . .
RUN mkdir /source \
 && if [ "$SERVICE" = mirror ]; then GATEHOUSE_COMMIT="$GATEHOUSE_COMMIT" sh scripts/image/source-snapshot.sh /source; fi

FROM ${NODE_IMAGE} AS service
ARG SERVICE=
ENV NODE_ENV=production
# Read by the mirror only (MIRROR_SOURCE_DIR): the snapshot from the source stage.
ENV MIRROR_SOURCE_DIR=/usr/share/gatehouse/source
WORKDIR /app
COPY --from=prod /out/ ./
COPY --from=source /source/ /usr/share/gatehouse/source/
# The GitHub stand-in serves its repositories with `git http-backend`; the
# mirror pushes with the git CLI.
RUN if { [ "$SERVICE" = github-sandbox ] || [ "$SERVICE" = mirror ]; } && ! command -v git >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*; \
    fi
# server.js → the service's dist/server.js (Node follows the link, so the
# service finds its migrations and data beside dist/). Data dir owned by node.
RUN if [ -n "$SERVICE" ]; then \
      test -f "services/$SERVICE/dist/server.js" \
      && ln -s "services/$SERVICE/dist/server.js" server.js \
      && mkdir -p "/var/lib/gatehouse/$SERVICE" \
      && chown node:node "/var/lib/gatehouse/$SERVICE"; \
    fi
USER node
# Exec form: SIGTERM from `docker stop` reaches Node, which drains and exits.
CMD ["node", "server.js"]

# maildev (dev and test profiles); it is a dev dependency of the repository,
# so this image needs the dependencies only, not the sources.
FROM deps AS devtools
USER node
EXPOSE 1025 1080
CMD ["node", "node_modules/maildev/dist/bin/maildev.js", "--smtp", "1025", "--web", "1080"]

# Debian's Chromium for the browser journey, on the dependencies only: a commit
# does not download it again.
FROM deps AS browser
USER root
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /app/test-results \
 && chown node:node /app/test-results

# The e2e suite, as `npm run test:e2e` runs it locally, against E2E_BASE_URL.
# It runs from the sources (tsx, the gatehouse-source condition), not dist/.
FROM browser AS tests
COPY . .
USER node
ENV E2E_CHROMIUM=/usr/bin/chromium
CMD ["npm", "run", "test:e2e"]
