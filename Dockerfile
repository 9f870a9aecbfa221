# The agent-trust image: the CLI, whose `approval-proxy` command the foundation's approval proxy Deployment runs
# (src/plan/approval.ts passes `approval-proxy --namespace ... --tls-cert ...` as the container's args). Build and
# publish it, then pin it in the foundation stack (agent-trust:approval.image, by tag or digest):
#   docker build -t registry.example.internal/agent-trust:0.1.0 .
# It runs as the non-root user 65532 the Deployment's securityContext asks for, with a read-only root filesystem.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# Compile, then keep only the runtime dependencies; the launcher runs dist/ since the build stamp is newer than src/.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
COPY --from=build /app/dist ./dist
USER 65532:65532
ENTRYPOINT ["node", "/app/bin/agent-trust.js"]
