# gitward's image, for those who build with Docker (docker build -t ghcr.io/gitward/gitward:TAG .).
#
# It holds the same steps as `npm run image` (scripts/image.ts, which builds the image here
# without a Docker daemon and is what CI and the tests use; this file cannot be built on that
# machine): Debian bookworm with git, ssh client, gpg, CA roots, tini; the pinned Node 24 from the
# npm `node` package in package-lock.json; helm, kustomize and gitward-jsonnet built from their Go
# modules by build-binaries.sh at the versions in versions.env; gitward's sources with production
# node_modules and the built web UI; user 65532; entrypoint the CLI, the command picks the process
# (`controller`, `server`). Change one, change the other (packages/local-cluster/src/image.ts
# declares the packages, user, entrypoint and writable paths).
#
# BASE_IMAGE may be the Debian base `npm run image` makes (it already has the packages and the
# user; its archive names it ghcr.io/gitward/gitward-base:bookworm-<key>), or any Debian bookworm image.
ARG BASE_IMAGE=debian:bookworm-slim
ARG GO_IMAGE=golang:1.26-bookworm
ARG NODE_BUILD_IMAGE=node:24-bookworm

# helm, kustomize, gitward-jsonnet: the very script the local control plane builds them with.
FROM ${GO_IMAGE} AS tools
COPY packages/local-cluster/versions.env /src/packages/local-cluster/versions.env
COPY packages/local-cluster/scripts/ /src/packages/local-cluster/scripts/
COPY packages/local-cluster/tools/jsonnet/ /src/packages/local-cluster/tools/jsonnet/
RUN script=/src/packages/local-cluster/scripts/build-binaries.sh \
  && bash "$script" --cache-dir /cache --renderers-only \
  && dir=$(bash "$script" --cache-dir /cache --print-dir) \
  && mkdir -p /out \
  && cp "$dir/helm" "$dir/kustomize" /out/ \
  && cp "$dir/$(bash "$script" --cache-dir /cache --print-jsonnet-name)" /out/jsonnet

# Node from the lockfile's `node` package; the CLI's production closure (node_modules and the
# sources of the @gitward packages it links; tests left out); the built web UI.
FROM ${NODE_BUILD_IMAGE} AS app
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
  && test "$(node_modules/node/bin/node --version)" = "v$(node -p 'require("./package-lock.json").packages["node_modules/node"].version')" \
  && node_modules/.bin/vite build --logLevel warn --outDir /out/opt/gitward/packages/web/dist packages/web \
  && mkdir -p /out/usr/local/bin /stage \
  && cp node_modules/node/bin/node /out/usr/local/bin/node \
  && cp --parents package.json package-lock.json packages/*/package.json test/*/package.json /stage/ \
  && cd /stage && npm ci --omit=dev --ignore-scripts --workspace=packages/cli --no-audit --no-fund \
  && rm -f node_modules/.package-lock.json \
  && mv node_modules /out/opt/gitward/ \
  && cd /src \
  && for p in $(ls /out/opt/gitward/node_modules/@gitward); do find "packages/$p" -type f; done \
    | grep -v '\.test\.tsx\?$' | xargs cp --parents -t /out/opt/gitward/ \
  && cp --parents package.json package-lock.json packages/web/package.json /out/opt/gitward/ \
  && ln -s /opt/gitward/packages/cli/src/main.ts /out/usr/local/bin/gitward

FROM ${BASE_IMAGE}
# On the locally made base everything is there already; on a stock Debian image install it.
RUN if ! { [ -x /usr/bin/tini ] && [ -x /usr/bin/git ] && id -u gitward >/dev/null 2>&1; }; then \
    apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates git gpg libstdc++6 openssh-client tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 65532 gitward \
    && useradd --uid 65532 --gid 65532 --home-dir /home/gitward --create-home \
      --shell /usr/sbin/nologin gitward; \
  fi
COPY --from=tools /out/ /usr/local/bin/
COPY --from=app /out/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/gitward NODE_ENV=production
# The only paths gitward writes: with them as volumes (emptyDir) the root filesystem can be
# read-only (securityContext.readOnlyRootFilesystem: true).
VOLUME ["/tmp", "/home/gitward"]
USER 65532:65532
WORKDIR /home/gitward
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/gitward"]
CMD ["--help"]
