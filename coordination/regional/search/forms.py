"""The search form: a bounded query, a kind and a page, all read from the URL."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import SafeForm
from coordination.regional.search import selectors


class SearchForm(SafeForm):
    """``q`` is checked (its errors are shown above the results); a junk ``kind`` or
    ``page`` is ignored, as a list's filters are (``FilterForm``)."""

    q = forms.CharField(
        label=_("Search for"),
        max_length=selectors.MAX_QUERY_LENGTH,
        required=False,
        help_text=_(
            "Words of a title, a text, a code or a name, in French or in Dutch. "
            'Put words between quotes to find them together; "or" finds either word.'
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Only"), required=False)
    page = forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        max_value=selectors.MAX_PAGE,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything"))] + [  # type: ignore[attr-defined]
            (provider.key, provider.label) for provider in selectors.providers()
        ]

    def clean_q(self) -> str:
        text: str = self.cleaned_data["q"]
        if text and selectors.parse(text) is None:
            raise ValidationError(
                _("Type at least one word or code: letters or digits, not only punctuation."),
                code="no_word",
            )
        return text

    def query(self) -> selectors.Query | None:
        """The query to run, or None (nothing typed, or refused: see ``errors``)."""
        if not self.is_valid() and "q" in self.errors:
            return None
        text = getattr(self, "cleaned_data", {}).get("q", "")
        return selectors.parse(text) if text else None

    def kind_and_page(self) -> tuple[str, int]:
        cleaned = getattr(self, "cleaned_data", {})
        kind = cleaned.get("kind", "") if "kind" not in self.errors else ""
        page = cleaned.get("page") if "page" not in self.errors else None
        return kind or "", page or 1
