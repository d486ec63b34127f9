# Croft development image (docker-compose.dev.yml): the toolchain of the Dockerfile's build stage
# and the same apt packages, nothing else. The source is mounted at run time, not copied in, so
# this image is built once and does not change when the code does.
FROM swift:6.3-bookworm

# SQLite headers for the CSQLite system library target (pkg-config sqlite3), as in the Dockerfile.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends libsqlite3-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
