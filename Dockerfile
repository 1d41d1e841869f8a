FROM python:3.12-slim-bookworm

# pg_dump/pg_restore for the backups must match the server (postgres:16 in compose):
# Debian bookworm ships 15, so the client comes from the PostgreSQL project's repository.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core gettext postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-16 \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=coordination.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir . \
 && SECRET_KEY=build-only-collectstatic-key-0123456789-abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost EMAIL_HOST=localhost \
    python manage.py collectstatic --no-input \
 && useradd --system --home /app portal && mkdir -p /srv/portal/media /srv/portal/backups \
 && chown -R portal /srv/portal
USER portal
EXPOSE 8000
CMD ["gunicorn", "coordination.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
