"""``{% content obj "title" %}``: a free text in the reader's language, or marked.

Renders the text escaped; when the reader's language was not available it is wrapped in
``<span lang="fr">…</span>`` with a small visible tag (``FR``), so screen readers switch
voice and sighted readers know why the text is in the other language. ``{% content obj
"title" plain=True %}`` gives the text alone (for attributes, titles, e-mails).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from coordination.core import bilingual

register = template.Library()


@register.simple_tag
def content(obj: Any, field: str, plain: bool = False) -> SafeString | str:
    if obj is None:
        return ""
    shown = bilingual.shown(obj, field)
    if plain or not shown.untranslated:
        return shown.text
    label = {"fr": _("in French"), "nl": _("in Dutch")}.get(shown.language, "")
    return format_html(
        '<span lang="{}">{}</span> <abbr class="lang-tag" title="{}">{}</abbr>',
        shown.language,
        shown.text,
        label,
        shown.language.upper(),
    )
