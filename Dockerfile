# syntax=docker/dockerfile:1
# QI Academy: multi-stage build, runs as a non-root user, applies migrations then serves with uvicorn.
# Needs at run time: QIA_SECRET_KEY (32+ random characters), QIA_DATABASE_URL (PostgreSQL in production:
# postgresql+psycopg://user:password@host:5432/db), QIA_BASE_URL (the public https URL; it is signed
# into every credential, so keep it stable). Mount a volume at /app/var: it holds the signing keys.
# Behind a load balancer, set QIA_TRUSTED_PROXIES to its addresses (CIDR list, e.g. 10.0.0.0/8):
# only then is X-Forwarded-For believed. Never trust every address: a client could then choose
# its own IP and walk past the sign-in limits.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
# Install the pinned dependencies; the app itself runs from its source tree in /app.
RUN pip install . && pip uninstall -y qi-academy

FROM python:3.11-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-liberation \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin qia
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    QIA_ENV=prod QIA_SECURE_COOKIES=true
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root alembic.ini ./
COPY --chown=root:root migrations ./migrations
COPY --chown=root:root content ./content
COPY --chown=root:root app ./app
RUN mkdir -p /app/var && chown qia:qia /app/var
VOLUME ["/app/var"]
USER qia
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["sh", "-c", "alembic upgrade head && python -m app.cli content sync && exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port 8000 --no-proxy-headers --workers ${WEB_CONCURRENCY:-2}"]
