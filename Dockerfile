# Croft production image: one static `app` binary, the site's Public/ and Templates/, Litestream,
# and an entrypoint that restores, migrates, then serves. See docs/deploy.md.
#
#   docker build -t croft .                       # or: docker compose build
#   docker run -p 8000:8000 -v "$PWD/data:/app/data" croft
#
# Needs BuildKit (the default builder since Docker 23) for the build cache mount below.

# ---- build ----------------------------------------------------------------------------------
FROM swift:6.3-bookworm AS build

# SQLite and libcurl headers for the CSQLite and CCurl system library targets (pkg-config sqlite3, libcurl).
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends libsqlite3-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Resolve dependencies in their own layer: it stays cached until Package.swift (or a committed
# Package.resolved) changes, so a source-only change never fetches packages again.
COPY Package.* ./
RUN swift package resolve

# Then the sources. The cache mount keeps .build between builds, so a change to one module
# recompiles that module and what depends on it, not the dependencies (swift-crypto's BoringSSL
# alone is minutes on a small VPS). The binary is copied out of the mount into /staging.
COPY . .
RUN --mount=type=cache,target=/build/.build,id=croft-swift-build \
    swift build -c release --static-swift-stdlib --product app \
    && mkdir -p /staging/bin \
    && cp "$(swift build -c release --show-bin-path)/app" /staging/bin/app \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/bin/ \
    && strip /staging/bin/app

# ---- litestream -----------------------------------------------------------------------------
# The official image carries a static binary; take just that.
FROM litestream/litestream:0.5.17 AS litestream

# ---- run ------------------------------------------------------------------------------------
FROM debian:bookworm-slim

# Only what the binary needs: SQLite, libcurl (SMTP), CA roots (TLS to the replica's object store and the
# mail server), time zones.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends libsqlite3-0 libcurl4 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*

# The app runs as this user; the entrypoint starts as root only to hand it the data volume.
RUN groupadd --system --gid 1000 croft \
    && useradd --system --uid 1000 --gid croft --home-dir /app --no-create-home --shell /usr/sbin/nologin croft

WORKDIR /app
COPY --from=litestream /usr/local/bin/litestream /usr/local/bin/litestream
COPY --from=build /staging/bin/ /app/bin/
COPY Public/ /app/Public/
COPY Templates/ /app/Templates/
COPY deploy/entrypoint.sh deploy/healthcheck.sh deploy/litestream.yml /app/deploy/
RUN mkdir -p /app/data && chown croft:croft /app/data

ENV PATH=/app/bin:$PATH \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    BASE_DIR=/app \
    DATA_DIR=/app/data \
    DATABASE_PATH=/app/data/db.sqlite3 \
    PUBLIC_DIR=/app/Public \
    TEMPLATES_DIR=/app/Templates \
    LITESTREAM_CONFIG=/app/deploy/litestream.yml \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/app/bin/swift-backtrace-static

VOLUME /app/data
EXPOSE 8000
# The server drains in-flight requests on SIGTERM; under Litestream, Litestream forwards it.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/app/deploy/healthcheck.sh"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD []
