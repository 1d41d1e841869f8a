"""Form widgets, fields and base forms shared by every app.

Every form of the portal derives from :class:`SafeForm` and uses the fields below for
dates and database ids, so hostile input (a year 9999 meeting, an id of 2**70, a NUL
byte) gets a normal validation message instead of a server error. The bounds themselves
are in :mod:`coordination.core.bounds`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds as limits
from coordination.core.bounds import DateBounds

#: Free text without its own ``max_length`` (minutes, descriptions) is capped here: a
#: hundred pages of minutes is a pasted file, not minutes.
MAX_TEXT_LENGTH = 50_000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# ------------------------------------------------------------------------------ dates


class _BoundedMixin:
    """Refuse dates outside ``bounds``; ``keep`` lets an existing (legacy) value stay, so
    a row stored before the bounds existed can still be edited or cancelled."""

    bounds: DateBounds
    keep: dt.date | dt.datetime | None

    def _init_bounds(self, bounds: DateBounds, keep: Any) -> None:
        self.bounds = bounds
        self.keep = keep
        self.refresh_limits()

    def refresh_limits(self) -> None:
        """The browser's own min/max, worked out again for each form: "today" moves, and
        fields are built once when the module is imported."""
        earliest, latest = self.bounds.range()
        widget = self.widget  # type: ignore[attr-defined]
        if isinstance(widget, forms.DateTimeInput):
            widget.attrs["min"] = f"{earliest:%Y-%m-%d}T00:00"
            widget.attrs["max"] = f"{latest:%Y-%m-%d}T23:59"
        else:
            widget.attrs["min"] = earliest.isoformat()
            widget.attrs["max"] = latest.isoformat()

    def _kept(self, value: Any) -> Any:
        """``keep`` itself when ``value`` is that value as the page showed it: a widget
        shows minutes, and an old time zone offset (Brussels local mean time before 1914)
        has seconds, so a datetime within the same minute counts as unchanged."""
        keep = self.keep
        if value is None or keep is None or type(value) is not type(keep):
            return value
        if isinstance(value, dt.datetime) and isinstance(keep, dt.datetime):
            return keep if abs(value - keep) < dt.timedelta(minutes=1) else value
        return keep if value == keep else value

    def _check_bounds(self, value: Any) -> None:
        if value is None or (self.keep is not None and value == self.keep):
            return
        limits.check_date(value, self.bounds)


class BoundedDateField(_BoundedMixin, forms.DateField):
    """A date within the plausible range of its kind (``bounds.MEETING``…)."""

    def __init__(self, *, bounds: DateBounds, keep: dt.date | None = None, **kwargs: Any):
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)
        self._init_bounds(bounds, keep)

    def to_python(self, value: Any) -> dt.date | None:
        try:
            return self._kept(super().to_python(value))
        except (OverflowError, ValueError) as exc:  # year 0000 and friends
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def validate(self, value: Any) -> None:
        super().validate(value)
        self._check_bounds(value)


class BoundedDateTimeField(_BoundedMixin, forms.DateTimeField):
    """A date and time within the plausible range of its kind."""

    def __init__(self, *, bounds: DateBounds, keep: dt.datetime | None = None, **kwargs: Any):
        kwargs.setdefault("widget", DateTimeInput())
        super().__init__(**kwargs)
        self._init_bounds(bounds, keep)

    def to_python(self, value: Any) -> dt.datetime | None:
        # Making 9999-12-31T23:59 aware in Europe/Brussels overflows; 0001-01-01 goes BC
        # in UTC. The bound check below refuses both; here they must not crash first.
        try:
            return self._kept(super().to_python(value))
        except (OverflowError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def validate(self, value: Any) -> None:
        super().validate(value)
        self._check_bounds(value)


# -------------------------------------------------------------------------------- ids


def _check_pk(field: forms.ModelChoiceField, value: Any) -> None:
    """Refuse what cannot be an integer primary key before the database sees it."""
    if field.to_field_name or value in field.empty_values:
        return
    pk_field = field.queryset.model._meta.pk  # type: ignore[union-attr]
    if pk_field.get_internal_type() not in {"AutoField", "BigAutoField", "IntegerField"}:
        return
    if limits.parse_id(str(value).strip()) is None:
        raise ValidationError(
            field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": str(value)[:40]},
        )


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses ids outside the 64-bit range with its normal
    "not one of the available choices" message (SQLite overflows on 2**70)."""

    def to_python(self, value: Any) -> Any:
        _check_pk(self, value)
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The multi-select counterpart of :class:`IdChoiceField`."""

    def _check_values(self, value: Any) -> Any:
        try:
            values = frozenset(value)
        except TypeError:
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        for item in values:
            try:
                _check_pk(self, item)
            except ValidationError:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(item)[:40]},
                ) from None
        return super()._check_values(value)  # type: ignore[misc]


# ------------------------------------------------------------------------------- text


def validate_no_control_characters(value: Any) -> None:
    if isinstance(value, str) and limits.has_control_characters(value):
        raise ValidationError(
            _("Remove the invisible control characters from this text."),
            code="control_characters",
        )


class SafeForm(forms.Form):
    """The base of every form: free text refuses control characters (PostgreSQL refuses
    NUL outright) and is capped in length when the field sets no cap of its own; a
    bounded date equal to the form's initial value is accepted as it is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, _BoundedMixin):
                field.refresh_limits()
                if field.keep is None:
                    # The value the page showed (an existing row's date) may stay even
                    # when it predates the bounds: a legacy meeting can still be edited.
                    field.keep = self.get_initial_for_field(field, name)
                if isinstance(field.keep, dt.date) and not field.bounds.contains(field.keep):
                    # Nor may the browser refuse to send it back.
                    field.widget.attrs.pop("min", None)
                    field.widget.attrs.pop("max", None)
            if isinstance(field, forms.CharField):
                field.validators.append(validate_no_control_characters)
                if field.max_length is None:
                    field.max_length = MAX_TEXT_LENGTH
                    field.validators.append(MaxLengthValidator(MAX_TEXT_LENGTH))

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        # A hidden field (a revision, an original value) has no place to show its error:
        # say it at the top of the form, or the person sees the form again with no reason.
        hidden = [
            name
            for name in self.errors
            if name in self.fields and self.fields[name].widget.is_hidden
        ]
        if hidden:
            self.add_error(
                None,
                _("The page was out of date or altered. Reload it, then make your change again."),
            )


class FilterForm(SafeForm):
    """The GET filters above a list. A filter with a junk value is ignored (the list shows
    everything it would without it) and the person is told, never a server error."""

    def values(self, request: HttpRequest | None = None) -> dict[str, Any]:
        """The cleaned value of each valid filter; invalid ones are dropped with a message."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        if self.errors and request is not None:
            names = [
                str(self.fields[name].label or name) for name in self.errors if name in self.fields
            ]
            messages.warning(
                request,
                _("Some filters had a value that is not valid and were ignored: %(names)s.")
                % {"names": ", ".join(names)},
            )
        return {name: value for name, value in cleaned.items() if name not in self.errors}
