# Production image for the bot, the migrations and the Dramatiq worker (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# DejaVu fonts: used when rendering documents with Cyrillic text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . /app
RUN pip install . \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /data/files \
    && chown -R app:app /data

# Named volumes mounted at /data/files start out with this directory's owner (app).
ENV DATA_DIR=/data \
    FILES_DIR=/data/files

USER app
CMD ["python", "-m", "bot"]
