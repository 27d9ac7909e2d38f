"""The archive format shared by backups and trust exports: a plain .tar holding
manifest.json (format, version, created_at, ..., files: path, size, sha256) and the files.

Written to a temporary file beside OUT and renamed into place, so OUT is whole or absent.
Read back with every file checked against the manifest before anything is changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

MANIFEST = "manifest.json"
CHUNK = 1 << 20


class ArchiveError(Exception):
    """A refused archive: the message says which file and what was expected."""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def link_or_copy(source: Path, target: Path) -> None:
    """Store files are replaced by rename, never rewritten in place: a hard link is a
    snapshot of the file as it is now, and costs nothing. Other file systems: a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def copy_tree(source: Path, target: Path, *, skip=lambda rel: False) -> int:
    """Snapshot every regular file under `source` into `target` (hidden temporary files and
    whatever `skip(relative path)` refuses are left out). Returns the number of files."""
    count = 0
    if not source.is_dir():
        return 0
    for folder, dirs, files in os.walk(source):
        rel_folder = Path(folder).relative_to(source)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not skip(rel_folder / d))
        for name in sorted(files):
            rel = rel_folder / name
            if name.startswith(".") or skip(rel) or not os.path.isfile(os.path.join(folder, name)):
                continue
            link_or_copy(Path(folder) / name, target / rel)
            count += 1
    return count


def write(staging: Path, out: Path, manifest: dict) -> dict:
    """Checksum every file under `staging`, add the manifest, and tar it all to `out`."""
    files = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        rel = path.relative_to(staging).as_posix()
        files.append({"path": rel, "size": path.stat().st_size, "sha256": sha256(path)})
    manifest = {**manifest, "files": files}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tarfile.open(tmp, "w") as tar:
            tar.add(staging / MANIFEST, arcname=MANIFEST)
            for entry in files:
                tar.add(staging / entry["path"], arcname=entry["path"])
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest


def staging_dir(near: Path, prefix: str) -> Path:
    near = Path(near)
    near.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=near))


def open_checked(path: Path, *, format_name: str, max_version: int) -> tuple[tarfile.TarFile, dict]:
    """Open an archive and check its manifest against its members (names, no unsafe paths).
    Contents are checked as they are extracted (extract_checked)."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file.")
    try:
        tar = tarfile.open(path, "r:")
    except tarfile.TarError as exc:
        raise ArchiveError(
            f"{path}: not a Trustwide archive (expected a .tar file: {exc})."
        ) from exc
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    except KeyError as exc:
        tar.close()
        raise ArchiveError(f"{path}: no {MANIFEST}; expected a {format_name} archive.") from exc
    except (ValueError, tarfile.TarError) as exc:
        tar.close()
        raise ArchiveError(f"{path}: {MANIFEST} is unreadable ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != format_name:
        tar.close()
        raise ArchiveError(
            f"{path}: {MANIFEST} says format {manifest.get('format') if isinstance(manifest, dict) else None!r}; "
            f"expected {format_name!r}."
        )
    if not isinstance(manifest.get("version"), int) or manifest["version"] > max_version:
        tar.close()
        raise ArchiveError(
            f"{path}: format version {manifest.get('version')!r}; this Trustwide reads "
            f"versions up to {max_version}."
        )
    listed = {f["path"] for f in manifest.get("files", [])}
    present = set()
    for m in tar.getmembers():
        if m.name == MANIFEST:
            continue
        pure = PurePosixPath(m.name)
        if pure.is_absolute() or ".." in pure.parts or not (m.isfile() or m.isdir()):
            tar.close()
            raise ArchiveError(
                f"{path}: member {m.name!r} is not a plain file inside the archive; refused."
            )
        if m.isfile():
            present.add(m.name)
    if listed != present:
        missing, extra = sorted(listed - present), sorted(present - listed)
        tar.close()
        raise ArchiveError(
            f"{path}: the files do not match {MANIFEST} (missing: {missing[:5]}, "
            f"not listed: {extra[:5]}); the archive is incomplete or altered."
        )
    return tar, manifest


def extract_checked(
    tar: tarfile.TarFile, manifest: dict, prefix: str, target: Path, archive: Path
) -> int:
    """Extract the listed files under `prefix` into `target`, checking size and sha256 of each."""
    count = 0
    for entry in manifest["files"]:
        if not entry["path"].startswith(prefix):
            continue
        dest = target / entry["path"][len(prefix) :]
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        source = tar.extractfile(entry["path"])
        with open(dest, "wb") as handle:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                handle.write(chunk)
        if digest.hexdigest() != entry["sha256"] or dest.stat().st_size != entry["size"]:
            raise ArchiveError(
                f"{archive}: {entry['path']} is corrupt (sha256 {digest.hexdigest()[:12]}..., "
                f"expected {entry['sha256'][:12]}... from {MANIFEST})."
            )
        count += 1
    return count
