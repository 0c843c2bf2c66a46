# syntax=docker/dockerfile:1
# Task center image (used by docker-compose.yml):
#   docker build -t task-center .
#   docker run -e MONGODB_URI=... -e KAFKA_BROKERS=... -p 127.0.0.1:3000:3000 task-center
# Node 24 LTS ("Krypton") on Debian 13, pinned to an exact release; the local toolchain and CI
# may run Node 20.19+ (package.json engines).
ARG NODE_IMAGE=node:24.20.0-trixie-slim

# ---- build: full dependencies, webpack bundle in dist/apps/task-center/main.js
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# patches/: applied to node_modules by the postinstall script (patch-package)
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig*.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# ---- runtime: production dependencies only (the bundle keeps node_modules external)
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# the node images ship an unprivileged "node" user (uid 1000)
USER node
EXPOSE 3000
CMD ["node", "dist/apps/task-center/main.js"]
