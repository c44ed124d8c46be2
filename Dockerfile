# syntax=docker/dockerfile:1
# The gateway image; the key-rotation job runs from the same image with its own command
# (`node dist/service/jobs/main.js`, set by infra/constructs/key-rotator.ts).
# Build: gcloud builds submit --config cloudbuild.yaml (see infra/README.md) or `docker build -t gateway .`

ARG NODE_IMAGE=node:22-bookworm-slim

# 1. Compile service/ to dist/ with every dependency (TypeScript, types).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY service ./service
RUN npm run build

# 2. Production dependencies only, resolved from the lock file; no install scripts run.
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: compiled JavaScript and production dependencies, owned by root and run as the unprivileged
#    `node` user (uid 1000), so the process cannot change its own code.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 8080
# The flags are GATEWAY_NODE_FLAGS (service/node-flags.ts); test/unit/node-flags.test.ts keeps them equal.
CMD ["node", "--experimental-async-context-frame", "dist/service/main.js"]
