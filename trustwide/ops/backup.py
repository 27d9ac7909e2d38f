"""`trustwide backup OUT` and `trustwide restore IN`: the whole installation in one .tar.

What a backup holds (archive.py: manifest.json with a sha256 per file):
- database/db.sqlite3 (SQLite online backup API: a consistent copy while the app runs) or
  database/db.pgdump (pg_dump -Fc, restored with pg_restore). The database holds the trust
  data keys (data.TrustDataKey: the HMAC secret behind every pseudonymous pupil key in the
  store), so the store restored with it stays linkable to pupils.
- data/...: the Parquet store (settings.TRUSTWIDE_DATA_DIR), partitions, shards and batch
  manifests with their rollback copies; lock files and temporary files left out.
- media/...: uploaded files (settings.MEDIA_ROOT), copied after the database, so every file
  the database names is already written.

Consistency: every trust's store swap lock is held SHARED from before the database copy until
the store is copied, so no import or rollback swaps files meanwhile and the store matches the
database. (An import writes the store a moment before its database commit; one caught in
that moment is a stored batch whose ImportBatch row is still "running".)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from trustwide.data.services import analytics_store

from . import archive

FORMAT = "trustwide-backup"
VERSION = 1
SQLITE_FILE = "db.sqlite3"
PG_FILE = "db.pgdump"


class BackupError(archive.ArchiveError):
    pass


def _store_skip(rel: Path) -> bool:
    return rel.parts[:1] == ("_locks",)


def _trust_ids() -> list[int]:
    from trustwide.trusts.models import Trust

    ids = set(Trust.objects.values_list("pk", flat=True))
    locks = Path(settings.TRUSTWIDE_DATA_DIR) / "_locks"
    if locks.is_dir():
        for name in os.listdir(locks):
            if name.startswith("trust=") and name.endswith(".swap.lock"):
                with contextlib.suppress(ValueError):
                    ids.add(int(name.removeprefix("trust=").removesuffix(".swap.lock")))
    return sorted(ids)


@contextlib.contextmanager
def store_fenced():
    """Hold every trust's swap lock shared (in trust order): no batch swaps in meanwhile."""
    store = analytics_store()
    with contextlib.ExitStack() as stack:
        for trust_id in _trust_ids():
            stack.enter_context(store.reading(trust_id))
        yield


def _pg_env_args(settings_dict) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return env, args


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools "
            f"(the same major version as the server)."
        )
    return found


def _dump_database(target: Path) -> dict:
    target.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        dest = sqlite3.connect(target / SQLITE_FILE)
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
        return {"engine": "sqlite", "file": f"database/{SQLITE_FILE}"}
    if connection.vendor == "postgresql":
        env, args = _pg_env_args(connection.settings_dict)
        result = subprocess.run(
            [
                pg_tool("pg_dump"),
                "-Fc",
                "--no-owner",
                "-f",
                str(target / PG_FILE),
                *args,
                connection.settings_dict["NAME"],
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
        return {"engine": "postgresql", "file": f"database/{PG_FILE}"}
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in (
        MigrationRecorder(connection)
        .migration_qs.values_list("app", "name")
        .order_by("app", "name")
    ):
        latest[app] = name
    return latest


def backup(out) -> dict:
    """Write the backup archive to `out`; returns its manifest."""
    from trustwide.data.models import TrustDataKey

    out = Path(out).resolve()
    staging = archive.staging_dir(out.parent, ".trustwide-backup-")
    started = time.monotonic()
    try:
        with store_fenced():
            database = _dump_database(staging / "database")
            store_files = archive.copy_tree(
                Path(settings.TRUSTWIDE_DATA_DIR), staging / "data", skip=_store_skip
            )
        media_files = archive.copy_tree(Path(settings.MEDIA_ROOT), staging / "media")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": archive.now(),
            "database": {**database, "migrations": _migrations()},
            "trust_data_keys": {
                "where": "database table data_trustdatakey",
                "count": TrustDataKey.objects.count(),
            },
            "counts": {"store_files": store_files, "media_files": media_files},
        }
        manifest = archive.write(staging, out, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest["seconds"] = round(time.monotonic() - started, 2)
    return manifest


# -- restore -------------------------------------------------------------------------------
def database_has_data() -> bool:
    from trustwide.accounts.models import User
    from trustwide.trusts.models import Trust

    tables = set(connection.introspection.table_names())
    if Trust._meta.db_table not in tables:
        return False
    return Trust.objects.exists() or User.objects.exists()


def _load_database(source: Path, engine: str) -> None:
    if engine == "sqlite":
        src = sqlite3.connect(source / SQLITE_FILE)
        try:
            connection.ensure_connection()
            src.backup(connection.connection)
        finally:
            src.close()
    else:
        env, args = _pg_env_args(connection.settings_dict)
        name = connection.settings_dict["NAME"]
        connection.close()
        result = subprocess.run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                "-d",
                name,
                str(source / PG_FILE),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(
                f"pg_restore failed (the database is unchanged): {result.stderr.strip()[:500]}"
            )
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _replace_dir(new: Path, target: Path) -> None:
    """Put the restored folder in place of `target` (renamed when possible, else emptied)."""
    target = Path(target)
    if target.exists():
        aside = target.with_name(f".{target.name}.before-restore-{os.getpid()}")
        try:
            os.rename(target, aside)
        except OSError:  # a mount point: empty it and move the contents in
            for child in list(target.iterdir()):
                shutil.rmtree(
                    child
                ) if child.is_dir() and not child.is_symlink() else child.unlink()
            for child in list(new.iterdir()):
                shutil.move(str(child), target / child.name)
            shutil.rmtree(new, ignore_errors=True)
            return
        os.rename(new, target)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(new, target)


def restore(source, *, force: bool = False) -> dict:
    """Restore a backup archive over this installation's database, store and uploads.

    Refuses (BackupError, nothing changed) a file that is not a Trustwide backup, a corrupt or
    altered one, one of another database engine, and a database that already holds data
    unless `force`."""
    source = Path(source).resolve()
    tar, manifest = archive.open_checked(source, format_name=FORMAT, max_version=VERSION)
    with tar:
        engine = manifest.get("database", {}).get("engine")
        if engine != connection.vendor:
            raise BackupError(
                f"{source}: a backup of a {engine} database; this installation uses "
                f"{connection.vendor}. Restore it into a {engine} installation."
            )
        if not force and database_has_data():
            raise BackupError(
                "The database already holds trusts or users: restoring would replace them. "
                "Use --force to replace them, or restore into an empty database."
            )
        data_dir, media_dir = Path(settings.TRUSTWIDE_DATA_DIR), Path(settings.MEDIA_ROOT)
        stages = [
            archive.staging_dir(d.parent, f".{d.name}.restore-") for d in (data_dir, media_dir)
        ]
        db_stage = archive.staging_dir(data_dir.parent, ".database.restore-")
        try:
            archive.extract_checked(tar, manifest, "database/", db_stage, source)
            archive.extract_checked(tar, manifest, "data/", stages[0], source)
            archive.extract_checked(tar, manifest, "media/", stages[1], source)
            _load_database(db_stage, engine)
            _replace_dir(stages[0], data_dir)
            _replace_dir(stages[1], media_dir)
        finally:
            for stage in (*stages, db_stage):
                shutil.rmtree(stage, ignore_errors=True)
    return manifest
