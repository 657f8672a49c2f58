FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# glibc gives each of the threadpool's threads a malloc arena of its own; two keep a worker's
# memory near what it uses (bench/README.md: 233 -> 202 MB after the cache-miss pages and CSV).
ENV MALLOC_ARENA_MAX=2
WORKDIR /srv/parley

# The share images' only fonts (app/share/fonts.conf names their directory): the slim image has
# none, and without them every share image is refused (FontsMissing).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

# Templates, static files and migrations are package data inside app/; alembic.ini is for
# running `alembic` by hand in the container.
COPY pyproject.toml alembic.ini ./
COPY app ./app

RUN useradd --system --uid 10001 parley
USER parley

EXPOSE 8000
CMD ["python", "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
