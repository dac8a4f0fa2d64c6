"""Files (R-APP-4) and what an application still lacks before it can be sent.

Pure rules: plain functions over plain types, no database, no Telegram. Each rule cites
its id in ``../shared/SPEC.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from models.filetypes import content_matches

# --------------------------------------------------------------------------- files (R-APP-4)


class FileKind(StrEnum):
    DOCUMENT = "document"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class FileRequirement:
    """What a nomination asks for in one file slot (R-APP-4)."""

    code: str
    kind: FileKind
    types: tuple[str, ...]  # allowed extensions, lower case, without the dot
    max_size: int  # bytes, as declared by the nomination
    required: bool = True
    max_count: int = 1


@dataclass(frozen=True, slots=True)
class OfferedFile:
    file_name: str | None
    mime_type: str | None
    size: int | None
    is_video_message: bool = False
    #: the content's first bytes when the caller could read them (models.filetypes.HEAD_BYTES)
    head: bytes | None = None


_MIME_EXTENSIONS = {
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/x-msvideo": "avi",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/zip": "zip",
}


def file_extension(offered: OfferedFile) -> str | None:
    """The type of an offered file: its name's extension, else one implied by its MIME type."""
    if offered.file_name:
        suffix = PurePosixPath(offered.file_name).suffix.lower().lstrip(".")
        if suffix:
            return "jpg" if suffix == "jpeg" else suffix
    if offered.mime_type:
        return _MIME_EXTENSIONS.get(offered.mime_type.lower())
    return None


@dataclass(frozen=True, slots=True)
class FileRefusal:
    code: str  # wrong_type | wrong_content | too_large | too_large_for_cloud | size_unknown
    limit: int | None = None
    #: wrong_content: the claimed extension and what the signature says it is (filetypes.Detected)
    claimed: str | None = None
    actual: str | None = None
    actual_name: str | None = None


def check_file(
    requirement: FileRequirement, offered: OfferedFile, download_limit: int
) -> FileRefusal | None:
    """R-APP-4: may this file fill this slot? ``download_limit`` is what the Bot API in use
    lets the bot download (20 MB on the cloud Bot API)."""
    ext = file_extension(offered)
    if ext is None or ext not in requirement.types:
        return FileRefusal("wrong_type")
    if offered.head is not None:  # the name is a claim, the signature is evidence (issue #15)
        found = content_matches(ext, offered.head)
        if found is not None:
            return FileRefusal(
                "wrong_content", claimed=ext, actual=found.kind, actual_name=found.name
            )
    if offered.size is None:
        return FileRefusal("size_unknown")
    if offered.size > requirement.max_size:
        return FileRefusal("too_large", requirement.max_size)
    if offered.size > download_limit:
        return FileRefusal("too_large_for_cloud", download_limit)
    return None


def effective_size_limit(requirement: FileRequirement, download_limit: int) -> int:
    return min(requirement.max_size, download_limit)


# --------------------------------------------------------------------------- application completeness


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    code: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Missing:
    """What still keeps an application from being submitted (R-APP-4, R-APP-5)."""

    fields: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    consent_privacy: bool = False
    consent_transfer: bool = False

    @property
    def nothing(self) -> bool:
        return not (self.fields or self.files or self.consent_privacy or self.consent_transfer)


def missing_for_submission(
    fields: list[FieldRequirement],
    field_values: dict[str, str],
    files: list[FileRequirement],
    file_counts: dict[str, int],
    consent_privacy: bool,
    consent_transfer: bool,
) -> Missing:
    """R-APP-4/5: the required fields, files and consents that are not there yet."""
    return Missing(
        fields=tuple(f.code for f in fields if f.required and not field_values.get(f.code)),
        files=tuple(f.code for f in files if f.required and file_counts.get(f.code, 0) == 0),
        consent_privacy=not consent_privacy,
        consent_transfer=not consent_transfer,
    )


def size_mb(size: int) -> str:
    """Bytes as megabytes for a person: ``20 МБ``, ``1,5 МБ``."""
    mb = max(size / (1024 * 1024), 0.1) if size > 0 else 0.0
    text = f"{mb:.0f}" if mb >= 10 or mb == int(mb) else f"{mb:.1f}"
    return text.replace(".", ",")
