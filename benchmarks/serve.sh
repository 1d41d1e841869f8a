#!/bin/sh
# Serve a benchmark database the way production does, for pages.py --url and load.py:
# gunicorn with 3 workers, the production settings (static files collected and compressed
# by WhiteNoise), a throwaway SECRET_KEY, HTTP on 127.0.0.1 only (the clients send
# X-Forwarded-Proto: https, as the proxy would), a cache key prefix of its own.
#
#   benchmarks/serve.sh postgres://portal:portal@127.0.0.1:5432/portal_perf_1x [PORT]
#
# Not for real use: the key is public and mail goes nowhere.
set -eu
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=coordination.settings.production
export DATABASE_URL="$1"
export SECRET_KEY="benchmark-only-not-secret-$(printf '%s' "$1" | sha256sum | cut -c1-48)"
export ALLOWED_HOSTS=127.0.0.1
export EMAIL_HOST=127.0.0.1
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export CACHE_KEY_PREFIX="benchmark-$(basename "$1")"
export SECURE_SSL_REDIRECT=false
# The benchmark's sessions are signed in by data.py without a second factor.
export TWO_FACTOR_ENFORCED=false
[ -f staticfiles/staticfiles.json ] || .venv/bin/python manage.py collectstatic --noinput -v 0
exec .venv/bin/gunicorn coordination.wsgi:application --bind "127.0.0.1:${2:-8011}" \
    --workers 3 --timeout 60 --log-level warning
