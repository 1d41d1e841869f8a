"""The "to translate" list and the page that translates one item."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from coordination.core.bilingual import BilingualContent
from coordination.people.http import AuthenticatedHttpRequest
from coordination.regional.translations import selectors
from taskforces.forms.bilingual import TranslationForm

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved a translation of this text while you were writing yours. Yours is "
    "not saved: compare it with theirs below, then save again to keep yours."
)


@require_GET
def translation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.may_use(request.user):
        raise PermissionDenied
    rows = selectors.to_translate(request.user)
    return render(request, "coordination/translations/list.html", {"rows": rows})


def _form(obj: BilingualContent, fields: tuple[str, ...], data=None) -> TranslationForm:
    return TranslationForm(
        data,
        model=type(obj),
        fields=fields,
        language=obj.language,
        languages={name: selectors.language_of(obj, name) for name in fields},
        obj=obj,
        with_expected=True,
    )


@require_http_methods(["GET", "POST"])
def translate(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """One item: its originals read-only, a field for each translation; back to the list."""
    provider = selectors.provider(kind)
    if provider is None or not selectors.may_use(request.user):
        raise Http404
    obj, fields = provider.get(request.user, pk)
    form = _form(obj, fields, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            provider.save(
                obj=obj, by=request.user, translations=form.translations(), expected=form.expected()
            )
        except provider.conflicts as clash:
            conflict = getattr(clash, "current", obj)
            # Keep what the person typed, on top of what the other person saved.
            data = request.POST.copy()
            for name in fields:
                data[f"{form.prefix}-expected_{name}"] = getattr(conflict, f"{name}_translation")
            form = _form(conflict, fields, data)
            form.is_valid()
            form.add_error(None, CONFLICT_MESSAGE)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Translation saved."))
            return redirect("translations:list")
    originals = [
        {
            "name": name,
            "label": selectors.field_label(obj, name),
            "text": getattr(obj, name),
            "language": selectors.language_of(obj, name),
            "theirs": getattr(conflict, f"{name}_translation") if conflict else None,
        }
        for name in fields
    ]
    context = {
        "provider": provider,
        "obj": obj,
        "where": provider.where(obj),
        "item_url": provider.url(obj),
        "originals": originals,
        "form": form,
        "conflict": conflict,
    }
    return render(
        request,
        "coordination/translations/translate.html",
        context,
        status=409 if conflict else 200,
    )
