"""``{% text item "reason" %}``: a frozen free text of a report in the report's language.

The snapshot freezes each operational text as ``<key>`` (the original),
``<key>_language`` and ``<key>_translation`` (see ``reporting/snapshot.py``). Rendered
under the report's language (``translation.override``), the tag prints the text in that
language where it exists, and otherwise the original wrapped in ``<span lang="fr">`` with
a small visible tag (``FR``), explained once by the report's legend. A snapshot frozen
before the texts carried their language gives French originals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from coordination.core.bilingual import OTHER, reader_language

register = template.Library()


def pick(item: Mapping[str, Any], key: str, language: str | None = None) -> tuple[str, str, bool]:
    """(text, its language, untranslated) of ``item[key]`` for a reader of ``language``."""
    original = item.get(key) or ""
    source = item.get(f"{key}_language") or "fr"
    wanted = reader_language(language)
    if not original or wanted == source:
        return original, source, False
    translation = item.get(f"{key}_translation") or ""
    if wanted == OTHER.get(source) and translation:
        return translation, wanted, False
    return original, source, True


@register.simple_tag
def text(item: Mapping[str, Any] | None, key: str) -> SafeString | str:
    if not item:
        return ""
    shown, language, untranslated = pick(item, key)
    if not untranslated:
        return shown
    label = {"fr": _("in French"), "nl": _("in Dutch")}.get(language, "")
    return format_html(
        '<span lang="{}">{}</span> <abbr class="lang-tag" title="{}">{}</abbr>',
        language,
        shown,
        label,
        language.upper(),
    )
