# syntax=docker/dockerfile:1
# Onderbouwd: one image for the API server (the default command) and the workers.
#
#   docker build -t onderbouwd .
#   docker run --rm -p 8000:8000 -v onderbouwd-var:/app/var onderbouwd
#   docker run --rm -e ONDERBOUWD_BROKER_URL=redis://… -e ONDERBOUWD_DATABASE_URL=… \
#       onderbouwd python -m app.cli.main worker
#
# Alone, the SQLite database lives in /app/var; mount a volume there to keep it. For the
# production shape (PostgreSQL, Redis, API replicas, workers) see docker-compose.yml.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1

RUN pip install "uv==0.13.9" \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin onderbouwd

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

# The application: app/ (with its migrations and data), examples/ and alembic.ini where
# present (.dockerignore lets through nothing else).
COPY . .
RUN uv sync --frozen --no-dev \
    && mkdir -p /app/var \
    && chown onderbouwd:onderbouwd /app/var

ENV PATH=/app/.venv/bin:$PATH \
    ONDERBOUWD_DATABASE_URL=sqlite:////app/var/onderbouwd.db

USER onderbouwd
VOLUME ["/app/var"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"]

CMD ["python", "-m", "app.cli.main", "serve", "--host", "0.0.0.0", "--port", "8000"]
