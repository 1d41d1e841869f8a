"""Test set-up shared by the whole suite (see tests/conftest.py for the fixtures)."""

import os

# Playwright's sync API runs an event loop in the test thread; Django's async-safety
# check would refuse every ORM call made by the live server fixtures otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
