"""Writes of the translations of hotspot texts, mayors' reasons and police orders.

:func:`translate` is the shared core (also used for the bulletins): it checks the fields
allowed, refuses a translation saved meanwhile by someone else (:class:`TranslationConflict`)
and audits the change with the old values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core.bilingual import BilingualContent
from coordination.models import User
from hotspots.selectors.translations import may_translate


class TranslationConflict(Exception):
    """Someone saved a translation since the form was loaded; ``current`` holds theirs."""

    def __init__(self, current: BilingualContent):
        super().__init__(f"{type(current).__name__} {current.pk} was translated meanwhile")
        self.current = current


@transaction.atomic
def translate[T: BilingualContent](
    *,
    obj: T,
    by: User,
    translations: Mapping[str, str],
    allowed: Iterable[str],
    expected: Mapping[str, str] | None = None,
) -> T:
    """Save ``translations`` (``{field: text in the other language}``) of ``obj``.

    ``allowed`` are the fields ``by`` may translate (the caller's rule); ``expected`` the
    translations as the form showed them: if someone saved another since, nothing is
    saved and TranslationConflict carries the current row. An empty text removes a
    translation. Audited (``content.translate``) with the old values.
    """
    allowed = set(allowed)
    if not allowed:
        raise PermissionDenied
    unknown = set(translations) - set(obj.TRANSLATED_FIELDS)
    assert not unknown, f"not a translated field of {type(obj).__name__}: {unknown}"
    if set(translations) - allowed:
        raise PermissionDenied
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    for name, seen in (expected or {}).items():
        if (getattr(current, f"{name}_translation") or "") != (seen or ""):
            raise TranslationConflict(current)
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for name, text in translations.items():
        text = (text or "").strip()
        if text and not getattr(current, name):
            raise ValidationError(_("There is no original text to translate."))
        column = f"{name}_translation"
        old = getattr(current, column) or ""
        if text != old:
            before[column], after[column] = old, text
            setattr(current, column, text)
    if not after:
        return current
    # A translation must fit its column as the original does (a legal reference: 300).
    current.full_clean(exclude=[f.name for f in current._meta.fields if f.name not in after])
    current.save(update_fields=list(after))
    audit.record(
        actor=by,
        action="content.translate",
        target=current,
        changes={name: [before[name], after[name]] for name in after},
    )
    return current


def content_translate[T: BilingualContent](
    *,
    obj: T,
    by: User,
    translations: Mapping[str, str],
    expected: Mapping[str, str] | None = None,
) -> T:
    """Translate a hotspot's, a mayor's decision's or a police order's texts, if ``by`` may
    (``hotspots.selectors.translations``)."""
    return translate(
        obj=obj,
        by=by,
        translations=translations,
        allowed=may_translate(by, obj),
        expected=expected,
    )
