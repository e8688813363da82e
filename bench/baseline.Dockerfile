# Baseline for bench/: this app containerized the way `docker init` writes a
# Dockerfile for a Node project (its single-stage template), on the SAME base
# image as our build stage. Deliberately not optimized; do not "fix" it.
#
# Faithful to the template:
# - one stage FROM the official node image, `ENV NODE_ENV production`,
#   WORKDIR /usr/src/app;
# - dependencies installed with bind mounts for package.json/package-lock.json
#   and a cache mount on /root/.npm;
# - `COPY . .`, `USER node`, a shell-form CMD, no HEALTHCHECK.
# Adapted, because our app is TypeScript and has no `start` script:
# - the install includes devDependencies (`--include=dev`: NODE_ENV=production
#   would otherwise omit TypeScript) and a build step `npx tsc --build` (what
#   projen's compile task runs) follows `COPY . .`, run before `USER node`
#   because COPY leaves the files owned by root;
# - CMD is `node lib/index.js`, the answer to docker init's "What command do you
#   want to use to start the app?" (our package.json `main`); docker init
#   writes that answer in shell form, so PID 1 is /bin/sh -c.
# Its ignore file is bench/baseline.Dockerfile.dockerignore (BuildKit picks
# up <name>.Dockerfile.dockerignore next to the Dockerfile; checked with
# Docker 20.10 here), the deny-list docker init generates.

ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-trixie-slim

# Use production node environment by default.
ENV NODE_ENV production

WORKDIR /usr/src/app

# Download dependencies as a separate step to take advantage of Docker's caching.
# Leverage a cache mount to /root/.npm to speed up subsequent builds.
# Leverage bind mounts to package.json and package-lock.json to avoid having to copy them
# into this layer.
RUN --mount=type=bind,source=package.json,target=package.json \
    --mount=type=bind,source=package-lock.json,target=package-lock.json \
    --mount=type=cache,target=/root/.npm \
    npm ci --include=dev

# Copy the rest of the source files into the image.
COPY . .

# Build the TypeScript sources (projen's compile task: `tsc --build`).
RUN npx tsc --build

# Run the application as a non-root user.
USER node

# Expose the port that the application listens on.
EXPOSE 8000

# Run the application.
CMD node lib/index.js
