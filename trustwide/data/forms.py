from django import forms

from . import ctf
from .models import DATASET_CHOICES
from .reading import MAX_FILE_BYTES, FileUnreadable, check_xlsx_parts, early_refusal
from .schemas import DATASETS

MAX_UPLOAD_MB = MAX_FILE_BYTES // (1024 * 1024)
ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")


class UploadForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Several schools (trust file)",
        help_text="The school whose data this file holds.",
    )
    dataset = forms.ChoiceField(
        choices=DATASET_CHOICES, help_text="What the file holds; see the default headers below."
    )
    academic_year = forms.TypedChoiceField(coerce=int, label="Academic year")
    file = forms.FileField(
        help_text=f"CSV (comma, semicolon or tab; UTF-8, UTF-16 or Windows-1252) or Excel .xlsx, up to {MAX_UPLOAD_MB} MB."
    )

    def __init__(self, *args, schools, years, trust_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["school"].required = not trust_wide
        if not trust_wide:
            self.fields["school"].empty_label = None
        self.fields["academic_year"].choices = [(y.start_year, y.label) for y in years]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(
                f"'{upload.name}' is not a CSV or Excel file (expected a name ending {', '.join(ALLOWED_SUFFIXES)})."
            )
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"'{upload.name}' is larger than {MAX_UPLOAD_MB} MB.")
        # Refuse at once what the worker would refuse unread: a PDF, an image, binary data,
        # an .xlsx that unpacks too far (judged from its ZIP directory, not by unpacking).
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        refusal = early_refusal(head, file_name=upload.name)
        if refusal is None and head[:4] == b"PK\x03\x04":
            try:
                check_xlsx_parts(upload.file)
            except FileUnreadable as exc:
                refusal = str(exc)
            upload.seek(0)
        if refusal:
            raise forms.ValidationError(f"'{upload.name}': {refusal}.")
        return upload


class ColumnMappingForm(forms.Form):
    """One field per default header: the header this school's MIS uses instead (blank: same)."""

    def __init__(self, *args, dataset: str, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for header in DATASETS[dataset].default_headers:
            self.fields[header] = forms.CharField(
                label=f"Default '{header}'",
                required=False,
                initial=current.get(header, ""),
                help_text="Leave blank when the file uses the default header.",
            )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class CtfUploadForm(forms.Form):
    """Common Transfer Files, one per school: school and academic year come from each header."""

    files = MultipleFileField(
        label="Common Transfer Files",
        help_text=f"One CTF (.xml) per school, CTF version {', '.join(map(str, ctf.SUPPORTED_VERSIONS))}; "
        f"up to {MAX_UPLOAD_MB} MB each.",
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {s.urn: s for s in schools}

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        problems, seen = [], {}
        for upload in uploads:
            if not upload.name.lower().endswith(".xml"):
                problems.append(f"'{upload.name}' is not a CTF (expected a name ending .xml).")
                continue
            if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
                problems.append(f"'{upload.name}' is larger than {MAX_UPLOAD_MB} MB.")
                continue
            try:
                header = ctf.peek_header(upload.read())
            except ctf.CtfRefused as exc:
                problems.append(f"{upload.name}: {exc}.")
                continue
            finally:
                upload.seek(0)
            if header.urn not in self.schools:
                problems.append(
                    f"{upload.name}: Header/SourceSchool/URN {header.urn or '(missing)'} "
                    f"({header.school_name or 'unnamed school'}) is not a school you may import data for."
                )
            elif header.urn in seen:
                problems.append(
                    f"{upload.name}: {seen[header.urn]} is also a CTF of URN {header.urn}; "
                    "upload one file per school."
                )
            else:
                seen[header.urn] = upload.name
        if problems:
            raise forms.ValidationError(problems)
        return uploads
