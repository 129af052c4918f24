# syntax=docker/dockerfile:1
# sentry-events-gateway: slim image, non-root, healthcheck on /healthz.
#   docker build -t sentry-events-gateway .
#   docker run -p 8000:8000 -e SENTRY_BASE_URL=https://sentry.io -e SENTRY_ORG=my-org \
#       -e GATEWAY_CURSOR_SECRET=... sentry-events-gateway
# Without SENTRY_BASE_URL it refuses to start; add -e GATEWAY_DEMO=1 to serve the embedded
# demo upstream's synthetic data. Clients calling it under a name other than localhost need
# -e GATEWAY_ALLOWED_HOSTS=that.name (docs/configuration.md).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid gateway --no-create-home --shell /usr/sbin/nologin gateway
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000
# Liveness only: /readyz (upstream reachability) is for load balancers, not restarts.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# uvicorn handles SIGTERM: stop accepting, finish in-flight requests for up to
# --graceful-timeout seconds (keep it below the orchestrator's stop grace period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["sentry-events-gateway"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--graceful-timeout", "20"]
