"""The content-addressed store of sent files (``FILES_DIR/ab/abcd…``, by sha256): the same
content is kept once. Application files are written by the download job
(``workers.jobs``); task answers by the tasks service (issue #15, R-COO-4). Blocking: call
from a thread (``asyncio.to_thread``)."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path


def stored_path(files_dir: Path, sha256: str) -> Path:
    return Path(files_dir) / sha256[:2] / sha256


def store_bytes(files_dir: Path, data: bytes) -> tuple[str, Path]:
    """Keep ``data`` under its sha256 (written to a temporary name and moved into place, so a
    reader never sees half a file); returns the sha256 and the path."""
    sha = hashlib.sha256(data).hexdigest()
    target = stored_path(files_dir, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return sha, target
