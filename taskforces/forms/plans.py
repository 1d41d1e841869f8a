"""Forms of the plan review."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import SafeForm

# --- Plans ----------------------------------------------------------------------------


class ReviewForm(SafeForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("validate", _("Validate this version")),
            ("return", _("Return it with comments")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required when returning the plan: say what must change."),
    )

    def clean(self) -> dict:
        data = cast(dict, super().clean())
        if data.get("decision") == "return" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what must change before the plan can be validated."))
        return data
