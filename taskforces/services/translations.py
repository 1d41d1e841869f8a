"""Writes of the translations of the task forces' texts (actions, meetings, displacement…)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core.bilingual import OTHER, BilingualContent, default_language
from coordination.models import User
from coordination.people import confidentiality
from taskforces.models import Action, ActionUpdate, Escalation, MeetingDecision
from taskforces.selectors.translations import may_translate


class TranslationConflict(Exception):
    """Someone saved a translation since the form was loaded; ``current`` holds theirs."""

    def __init__(self, current: BilingualContent):
        super().__init__(f"{type(current).__name__} {current.pk} was translated meanwhile")
        self.current = current


def content_language(language: str | None) -> str:
    """A content language (fr/nl): the given one, else the author's interface language."""
    if language is None or language == "":
        return default_language()
    if language not in OTHER:
        raise ValidationError(_("Choose French or Dutch as the language of the text."))
    return language


def _police_judicial(obj: BilingualContent) -> bool:
    """Whether the audit entry is about a police-judicial item (or one of its parts)."""
    if isinstance(obj, Action):
        return confidentiality.is_confidential(obj)
    if isinstance(obj, ActionUpdate):
        return confidentiality.is_confidential(obj) or confidentiality.is_confidential(obj.action)
    if isinstance(obj, Escalation):
        return confidentiality.is_confidential(obj.action)
    if isinstance(obj, MeetingDecision) and obj.action_id is not None:
        return confidentiality.is_confidential(obj.action)
    return False


@transaction.atomic
def content_translate[T: BilingualContent](
    *,
    obj: T,
    by: User,
    translations: Mapping[str, str],
    expected: Mapping[str, str] | None = None,
) -> T:
    """Save the translations of ``obj``'s texts (``{field: text in the other language}``).

    ``expected`` holds the translations as the form showed them: if someone saved another
    one since, nothing is saved and TranslationConflict carries the current row. An empty
    text removes a translation. An action's revision moves on, so that an edit form opened
    before sees the change. Audited with the old values.
    """
    allowed = may_translate(by, obj)
    if not allowed:
        raise PermissionDenied
    unknown = set(translations) - set(obj.TRANSLATED_FIELDS)
    assert not unknown, f"not a translated field of {type(obj).__name__}: {unknown}"
    if set(translations) - set(allowed):
        raise PermissionDenied
    model = type(obj)
    current = model._default_manager.select_for_update().get(pk=obj.pk)
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
    fields = list(after)
    if isinstance(current, Action):
        # The same compare-and-set guard as action_update: an edit form loaded before this
        # translation must not overwrite it without being told.
        Action.objects.filter(pk=current.pk).update(revision=F("revision") + 1)
        current.refresh_from_db(fields=["revision"])
        fields.append("updated_at")
    current.save(update_fields=fields)
    audit.record(
        actor=by,
        action="content.translate",
        target=current,
        changes={name: [before[name], after[name]] for name in after},
        police_judicial=_police_judicial(current),
    )
    return current
