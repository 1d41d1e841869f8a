"""The audit trail page, for the CSIR coordinator only.

Anybody else gets 404, not 403: the page is not in their menu, and the trail (which also
records who viewed police-judicial items) should not reveal that it exists (DESIGN.md §5).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from coordination.audit import selectors
from coordination.core import bounds
from coordination.core.forms import BoundedDateField, FilterForm, IdChoiceField
from coordination.core.htmx import htmx_partial
from coordination.people import permissions
from coordination.people.http import AuthenticatedHttpRequest

PAGE_SIZE = 50


class AuditFilterForm(FilterForm):
    target_type = IdChoiceField(
        label=_("Object type"), queryset=selectors.object_types(), required=False
    )
    target_id = forms.CharField(label=_("Object id"), max_length=40, required=False)
    actor = IdChoiceField(label=_("Person"), queryset=selectors.actors(), required=False)
    date_from = BoundedDateField(label=_("From"), required=False, bounds=bounds.FILTER)
    date_to = BoundedDateField(label=_("Until"), required=False, bounds=bounds.FILTER)
    views_only = forms.BooleanField(label=_("Views of police-judicial items"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Querysets are evaluated per form, so new types and people appear at once.
        self.fields["target_type"].queryset = selectors.object_types()
        self.fields["target_type"].label_from_instance = lambda ct: capfirst(ct.name)
        self.fields["actor"].queryset = selectors.actors()


@require_GET
@htmx_partial("audit-table")
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.is_csir_coordinator(request.user):
        raise Http404
    filters = AuditFilterForm(request.GET)
    wanted = filters.values(request)
    entries = selectors.audit_entries(viewer=request.user, **{k: v for k, v in wanted.items() if v})
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_lines(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filters": filters, "query": query}
    return TemplateResponse(request, "coordination/audit/list.html", context)
