# zuora-usage-update: build with the dev toolchain, ship only the compiled CLI and its runtime deps.
FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# No source maps: the image, like the npm package, ships only what runs.
RUN npx tsc -p tsconfig.build.json --sourceMap false

FROM node:24-alpine
LABEL org.opencontainers.image.title="zuora-usage-update" \
      org.opencontainers.image.description="Apply spreadsheet corrections of Zuora usage records, one PUT a row or 50 rows an Actions call"
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY fixtures ./fixtures
# Mount the folder with the corrections file here; results and failures are written next to it.
WORKDIR /data
USER node
ENTRYPOINT ["node", "--max-semi-space-size=6", "--heap-growing-percent=100", "/app/dist/src/cli.js"]
CMD ["--help"]
