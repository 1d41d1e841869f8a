"""Where apps add their navigation sections, home panels, map arrows and health details.

The navigation bar and the home page ('my work') belong to no single app: each app
registers what it contributes from its ``AppConfig.ready()``, so that the layers above do
not import the layers below by name, and the layers below never import those above.
``order`` fixes the place of each item whatever the order the apps are loaded in.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from coordination.people.models import User


@dataclass(frozen=True)
class Section:
    """One entry of the navigation bar."""

    order: int
    url_name: str
    label: str | Promise
    visible: Callable[[User], bool]
    # URL prefix that marks the section as current; defaults to the section's own URL.
    prefix: str = ""
    # A count shown beside the label (unread items); one query per render at most.
    badge: Callable[[User], int] | None = None


@dataclass(frozen=True)
class Panel:
    """One block of the home page: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PanelSource:
    order: int
    panels: Callable[[User], Iterable[Panel]]


_sections: dict[str, Section] = {}
_panel_sources: dict[str, PanelSource] = {}
_map_arrows: dict[str, Callable[[User], Iterable[Any]]] = {}
_health_details: dict[str, Callable[[], dict[str, Any]]] = {}


def add_section(section: Section) -> None:
    """Register a navigation section (registering the same URL name again replaces it)."""
    _sections[section.url_name] = section


def add_panels(key: str, order: int, panels: Callable[[User], Iterable[Panel]]) -> None:
    """Register a source of home panels under ``key`` (idempotent)."""
    _panel_sources[key] = PanelSource(order=order, panels=panels)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: section.order)


def home_panels(user: User) -> list[Panel]:
    """The panels of ``user``'s home page, in the registered order."""
    panels: list[Panel] = []
    for source in sorted(_panel_sources.values(), key=lambda source: source.order):
        panels.extend(source.panels(user))
    return panels


def add_map_arrows(key: str, arrows: Callable[[User], Iterable[Any]]) -> None:
    """Register a source of arrows drawn over the region map of the hotspots (``geo.MapArrow``)."""
    _map_arrows[key] = arrows


def map_arrows(user: User) -> list[Any]:
    """The arrows every registered source draws for ``user`` on the region map."""
    return [arrow for key in sorted(_map_arrows) for arrow in _map_arrows[key](user)]


def add_health_detail(key: str, detail: Callable[[], dict[str, Any]]) -> None:
    """Register what ``/healthz`` reports under ``detail[key]`` (a few cheap queries, no secret)."""
    _health_details[key] = detail


def health_details() -> list[tuple[str, Callable[[], dict[str, Any]]]]:
    """The registered health details, by key."""
    return sorted(_health_details.items())


class PackageProviders[P]:
    """Providers keyed by their ``key``, registered by the modules of one package, which
    are all imported on first use (the search and the "To translate" list use one each)."""

    def __init__(self, package: str) -> None:
        self._package = package
        self._providers: dict[str, P] = {}
        self._loaded = False

    def register(self, provider: P) -> P:
        """Add (or replace, by ``key``) a provider."""
        self._providers[provider.key] = provider  # type: ignore[attr-defined]
        return provider

    def _load(self) -> None:
        if self._loaded:
            return
        package = importlib.import_module(self._package)
        for module in sorted(info.name for info in pkgutil.iter_modules(package.__path__)):
            importlib.import_module(f"{self._package}.{module}")
        self._loaded = True

    def all(self) -> list[P]:
        self._load()
        return list(self._providers.values())

    def get(self, key: str) -> P | None:
        self._load()
        return self._providers.get(key)
