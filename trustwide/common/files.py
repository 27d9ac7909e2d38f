"""Uploaded evidence files: the types and size every app accepts (SEF evidence, monitoring)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator

EVIDENCE_EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "jpg", "jpeg", "png", "csv", "txt")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_HELP = (
    f"Allowed: {', '.join(EVIDENCE_EXTENSIONS)}; at most {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB."
)
EVIDENCE_ACCEPT = ",".join("." + e for e in EVIDENCE_EXTENSIONS)


def validate_evidence_size(file) -> None:
    if file and file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            f"The file is {file.size / 1024 / 1024:.1f} MB; the largest allowed is "
            f"{EVIDENCE_MAX_BYTES // 1024 // 1024} MB."
        )


def evidence_validators() -> list:
    return [
        FileExtensionValidator(
            list(EVIDENCE_EXTENSIONS),
            message="Files of type %(extension)s are not allowed. Allowed types: %(allowed_extensions)s.",
        ),
        validate_evidence_size,
    ]
