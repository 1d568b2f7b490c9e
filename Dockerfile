# One Dockerfile, one image per service: docker-compose.yml builds it once per service with
#   SERVICE_MODULE   the module `python -m` runs (intake_service.main, thads_infra.topics, ...)
#   HTTP_PORT        the port whose /health the HEALTHCHECK polls (empty: no HTTP server)
# The repository is a single installable workspace (pyproject.toml), installed non-editable.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml ./
COPY contracts ./contracts
COPY services ./services
COPY infra ./infra
RUN /opt/venv/bin/pip install .

FROM python:3.11-slim
RUN groupadd --system --gid 10001 thads \
 && useradd --system --uid 10001 --gid thads --home-dir /home/thads --create-home thads
COPY --from=build /opt/venv /opt/venv
COPY infra/docker/entrypoint.sh /usr/local/bin/thads-entrypoint
COPY infra/docker/healthcheck.py /usr/local/bin/thads-healthcheck
RUN chmod 0755 /usr/local/bin/thads-entrypoint /usr/local/bin/thads-healthcheck
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

ARG SERVICE_MODULE
ARG HTTP_PORT=""
ENV THADS_MODULE=${SERVICE_MODULE} THADS_HEALTH_PORT=${HTTP_PORT}
USER thads
WORKDIR /home/thads
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["thads-healthcheck"]
ENTRYPOINT ["thads-entrypoint"]
