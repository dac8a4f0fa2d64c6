"""What a file really is, from its first bytes (R-APP-4, issue #15: files are hostile until
checked).

A name and a declared MIME type are claims; the content's signature is evidence. The
signatures come from a maintained library (``puremagic``: pure Python, no libmagic), not a
table of our own; this module only says which detected types are compatible with a claimed
extension (a ``.pptx`` is detected as an Office Open XML / ZIP container, a phone's ``.mp4``
may carry a QuickTime or 3GPP brand) and names the detected type for the refusal
(«Файл назван .pdf, но это исполняемый файл (EXE)»). Pure: no I/O, no database."""

from __future__ import annotations

from dataclasses import dataclass

import puremagic

#: How many first bytes are read to judge a file (signatures sit at the start; the ZIP
#: container's first entry name, for Office files, too).
HEAD_BYTES = 64 * 1024

_OOXML = frozenset(
    {
        "docx",
        "pptx",
        "xlsx",
        "xlsb",
        "xlsm",
        "docm",
        "pptm",
        "zip",
        "jar",
        "apk",
        "odt",
        "odp",
        "ods",
        "epub",
    }
)
_OLE = frozenset({"doc", "ppt", "xls", "msg", "msi", "pps", "pot", "dot", "xlt", "wps"})
_ISO_BMFF = frozenset(
    {"mp4", "m4v", "m4a", "mov", "qt", "qtvr", "3gp", "3g2", "3ga", "3gpp", "f4v", "heic", "avif"}
)
_MATROSKA = frozenset({"mkv", "webm", "mka", "mks"})

#: For a claimed extension: the detected extensions a genuine file of that type may show.
COMPATIBLE: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf", "fdf"}),
    "docx": _OOXML,
    "pptx": _OOXML,
    "xlsx": _OOXML,
    "zip": _OOXML,
    "odt": _OOXML,
    "odp": _OOXML,
    "ods": _OOXML,
    "doc": _OLE,
    "ppt": _OLE,
    "xls": _OLE,
    "jpg": frozenset({"jpg", "jpeg", "jfif", "jpe"}),
    "png": frozenset({"png"}),
    "gif": frozenset({"gif"}),
    "mp4": _ISO_BMFF,
    "m4v": _ISO_BMFF,
    "mov": _ISO_BMFF,
    "3gp": _ISO_BMFF,
    "avi": frozenset({"avi"}),
    "webm": _MATROSKA,
    "mkv": _MATROSKA,
    "rar": frozenset({"rar"}),
    "7z": frozenset({"7z"}),
}

#: Detected types named in the catalogue (``files_pd.ftl``: ``err-file-wrong-content``).
_NAMED: dict[str, str] = {
    **{e: "exe" for e in ("exe", "dll", "sys", "scr", "com", "ocx", "cpl", "pif", "drv")},
    "elf": "elf",
    "pdf": "pdf",
    **{e: "zip" for e in _OOXML},
    **{e: "ole" for e in _OLE},
    **{e: "jpg" for e in ("jpg", "jpeg", "jfif", "jpe")},
    "png": "png",
    "gif": "gif",
    **{e: "video" for e in _ISO_BMFF | _MATROSKA | {"avi"}},
    "mp3": "audio",
    "rar": "archive",
    "7z": "archive",
    "gz": "archive",
    "html": "html",
}
#: Detected kinds never accepted under another name, even for a type we cannot verify.
DANGEROUS = frozenset({"exe", "elf"})


@dataclass(frozen=True, slots=True)
class Detected:
    """What the first bytes say: ``kind`` a catalogue selector (exe, pdf, zip, video… or
    ``other`` with ``name`` the library's description, or ``unknown``)."""

    kind: str
    name: str
    extensions: frozenset[str]


def detect(head: bytes) -> Detected:
    """The file's type as the signature library sees it (most likely first)."""
    try:
        matches = puremagic.magic_string(head) if head else []
    except (puremagic.PureError, ValueError):
        matches = []
    extensions = frozenset(m.extension.lower().lstrip(".") for m in matches if m.extension)
    for m in matches:
        ext = m.extension.lower().lstrip(".")
        if ext in _NAMED:
            return Detected(_NAMED[ext], ext.upper(), extensions)
    for m in matches:
        if "elf" in m.name.lower().split():
            return Detected("elf", "ELF", extensions | {"elf"})
    if matches:
        first = matches[0]
        return Detected(
            "other", (first.extension.lstrip(".").upper() or first.name)[:40], extensions
        )
    return Detected("unknown", "", extensions)


def content_matches(claimed: str, head: bytes) -> Detected | None:
    """R-APP-4: None when the content may be a ``claimed`` file; else what it really is.

    A type with a known signature must show it; a type without one (text formats) is
    accepted unless the content is an executable."""
    found = detect(head)
    compatible = COMPATIBLE.get(claimed)
    if compatible is None:
        return found if found.kind in DANGEROUS else None
    if found.extensions & compatible:
        return None
    return found
