"""A web process made ready before its first request (``coordination/wsgi.py``).

Django builds some things on first use, in each process: the URL configuration (which
imports every view module), the compiled templates (kept by the cached template loader)
and the translation catalogues. Measured on a freshly started gunicorn worker (issue 16):
its first page took 300–460 ms against 12–60 ms for the next ones, and a burst of
visitors right after a deployment or a worker restart queued behind those first pages.
Done while the worker boots, before it accepts a connection, they cost no visitor.

The project's own templates only (not the installed packages', such as the admin's): a
template that does not compile is logged and left to fail on the page that uses it, as
it would without this; the process still starts.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Warmed:
    templates: int
    failed: tuple[str, ...]
    milliseconds: int


def _own(folder: Path) -> bool:
    """A template folder of the project, not of an installed package."""
    prefixes = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    return not any(folder.resolve().is_relative_to(prefix) for prefix in prefixes)


def template_names() -> list[str]:
    """The names of the project's templates, as ``get_template`` takes them."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    names: dict[str, None] = {}
    for loader in engine.template_loaders:
        for inner in getattr(loader, "loaders", [loader]):
            for folder in map(Path, inner.get_dirs()):
                if not folder.is_dir() or not _own(folder):
                    continue
                for path in sorted(folder.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        names.setdefault(path.relative_to(folder).as_posix(), None)
    return list(names)


def warm() -> Warmed:
    """Imports the URL configuration, loads the catalogues of every language and compiles
    the project's templates into the cached loader."""
    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("French")
    engine = engines["django"].engine  # type: ignore[attr-defined]
    failed = []
    names = template_names()
    for name in names:
        try:
            engine.get_template(name)
        except (TemplateSyntaxError, TemplateDoesNotExist, UnicodeDecodeError):
            logger.warning("Template %s not compiled ahead", name, exc_info=True)
            failed.append(name)
    warmed = Warmed(
        templates=len(names) - len(failed),
        failed=tuple(failed),
        milliseconds=round((time.perf_counter() - started) * 1000),
    )
    logger.info(
        "Web process warmed in %s ms (%s templates)",
        warmed.milliseconds,
        warmed.templates,
        extra={"warm_ms": warmed.milliseconds},
    )
    return warmed
