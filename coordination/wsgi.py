import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings.production")

application = get_wsgi_application()

# Each web process compiles its templates and imports its views while it boots, not on
# its first visitor's page (coordination/core/warmup.py).
from coordination.core.warmup import warm  # noqa: E402 - needs the settings configured

warm()
