# syntax=docker/dockerfile:1
# The distributed-mode services (apps/socket … apps/control), one image for all of them, with the skblab CLI
# (the shell a student runs in a Kubernetes class: `skblab exec --lab ID`):
#   docker build --target runtime -t skblab-service .
#   docker run --rm -e KAFKA_BROKERS=… -e REDIS_URL=… skblab-service node dist/apps/ip/main.js
# docker-compose.yml builds it once per service (the layers are cached) and picks the app with `command`;
# k8s/ runs it as skblab:<package.json version> (docs/classes.md).

ARG NODE_IMAGE=node:22-bookworm-slim

# Every dependency (TypeScript and esbuild build the bundles). No install scripts: the repo's `prepare`
# bundles the CLI, which the services do not need, and esbuild's binary comes as an optional package.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

# dist/apps/<layer>/main.js for every service: the repo's code bundled, npm packages left external; and
# dist/skblab.js, the CLI, bundled whole (npm packages included) as the repo's prepare script bundles it.
FROM deps AS build
COPY tsconfig.json ./
COPY libs ./libs
COPY apps ./apps
COPY tools/build.js ./tools/build.js
RUN node libs/service/build.js && node -e "require('./tools/build.js').ensureBuilt('skblab.js')"

# Production dependencies only: what the bundles require() at run time.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/skblab.js /app/dist/skblab.js.map ./dist/
# The tools `skblab run` puts on a script's PATH (found beside package.json).
COPY bin/skblab-shim ./bin/skblab-shim
RUN printf '#!/bin/sh\nexec node /app/dist/skblab.js "$@"\n' > /usr/local/bin/skblab && chmod 0755 /usr/local/bin/skblab
USER node
EXPOSE 3000
# Each service answers GET /healthz (200 when Kafka and Redis answer, else 503).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/control/main.js"]
