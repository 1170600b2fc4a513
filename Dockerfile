# syntax=docker/dockerfile:1
# prospect-diary: a builder with the project's toolchain, then a small runtime image that runs
# the one binary as an unprivileged user. Build: docker build -t prospect-diary .

FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
COPY . .
# Locales, migrations, the Mini App page and the report font are embedded in the binary.
# The cache mounts keep the crates and the build between image builds.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin prospect-diary \
 && cp target/release/prospect-diary /usr/local/bin/prospect-diary

FROM debian:bookworm-slim
# curl for the HEALTHCHECK; ca-certificates for PostgreSQL over TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/prospect-diary --create-home \
        --shell /usr/sbin/nologin prospect-diary
COPY --from=builder /usr/local/bin/prospect-diary /usr/local/bin/prospect-diary
USER prospect-diary
# An SQLite database (sqlite://data/prospect-diary.db, the default) lives in this folder.
WORKDIR /var/lib/prospect-diary
# Listen on every interface of the container; the reverse proxy (or compose) publishes it.
ENV HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl --fail --silent --max-time 2 http://127.0.0.1:8080/healthz || exit 1
# SIGTERM finishes the updates in hand within SHUTDOWN_GRACE_SECS (20 s by default): give
# `docker stop` more than that (`stop_grace_period` in compose).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/prospect-diary"]
CMD ["run"]
