from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.imports.kinds import COLUMNS
from tsunagu.imports.models import Kind
from tsunagu.imports.reading import MAX_BYTES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("台帳の種類"), choices=Kind.choices)
    file = forms.FileField(
        label=_("Excelファイル（.xlsx）"),
        help_text=_("テンプレートの形式で、1枚目のシートの1行目に見出しを置いてください（40MBまで）。"),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in Kind.choices if value in kinds]
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（40MBまで）。"))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Excelのファイル（.xlsx）を選んでください。"))
        return upload


class ReuploadForm(forms.Form):
    file = forms.FileField(label=_("直したファイル（.xlsx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（40MBまで）。"))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Excelのファイル（.xlsx）を選んでください。"))
        return upload


class MappingForm(forms.Form):
    """For each column of the kind, which heading of the file holds it."""

    def __init__(self, *args, kind: str, headings: list[str], initial_mapping: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("（使わない）"))] + [(str(i), h) for i, h in enumerate(headings) if h]
        for column in COLUMNS[kind]:
            self.fields[column.key] = forms.TypedChoiceField(
                label=column.heading,
                choices=choices,
                required=column.required,
                coerce=int,
                empty_value=None,
                initial=str(initial_mapping[column.key]) if column.key in initial_mapping else "",
            )

    def mapping(self) -> dict[str, int]:
        return {key: value for key, value in self.cleaned_data.items() if value is not None}
