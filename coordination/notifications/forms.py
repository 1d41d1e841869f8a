"""The form of the notification preferences: how and in which language e-mail arrives."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import SafeForm
from coordination.people.models import User

_email_mode = User._meta.get_field("email_mode")
_language = User._meta.get_field("preferred_language")


class NotificationPreferencesForm(SafeForm):
    email_mode = forms.ChoiceField(
        label=capfirst(_email_mode.verbose_name),
        choices=cast(list, _email_mode.choices),
        widget=forms.RadioSelect,
        help_text=_("Every notification is always in the portal's notification centre."),
    )
    preferred_language = forms.ChoiceField(
        label=capfirst(_language.verbose_name),
        choices=settings.LANGUAGES,
        help_text=_("The language of the e-mails the portal sends you."),
    )
