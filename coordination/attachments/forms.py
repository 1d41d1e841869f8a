"""The upload and withdrawal forms."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from coordination.attachments import filetypes
from coordination.core.forms import SafeForm


class AttachmentForm(SafeForm):
    file = forms.FileField(label=_("Document"), max_length=500)

    def __init__(self, *args, target: Model | None = None, **kwargs):
        # Several panels may share a page (escalations): ids unique per object.
        if target is not None:
            kwargs.setdefault("auto_id", f"att-{target._meta.model_name}-{target.pk}-%s")
        kwargs.setdefault("auto_id", "attachment_%s")
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s; at most %(limit)s.") % {
            "types": filetypes.allowed_extensions(),
            "limit": filesizeformat(filetypes.max_bytes()),
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(filetypes.KINDS))

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        # The services check again; here the person gets the message next to the field.
        filetypes.check(upload, filetypes.safe_name(upload.name or ""), upload.size)
        return upload


class WithdrawForm(SafeForm):
    reason = forms.CharField(
        label=_("Why is the document withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The document and its versions are kept in the record."),
    )
