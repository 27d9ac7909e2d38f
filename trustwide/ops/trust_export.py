"""`trustwide export_trust SLUG OUT`: everything one trust owns, for a trust leaving the service.

What a trust owns is what deleting it would delete (Django's deletion collector, so a new
model with a foreign key to the trust, or to anything of it, is exported without a change
here), plus the people who hold roles in it (name, email, job title: no password hashes).
Archive (archive.py format "trustwide-trust-export"; docs/DATA.md describes it):

    manifest.json                      format, version, created_at, trust, counts, files (sha256)
    database/<app_label.model>.json    rows, Django's JSON serializer (natural of loaddata)
    store/<dataset>/trust=<id>/...     its Parquet partitions (same layout as the store)
    store/_shards/<name>/trust=<id>/...
    store/_batches/<batch id>/...      its batch manifests and rollback copies
    media/<path>                       uploaded files its rows name (imports, evidence)

The trust's data key (data.TrustDataKey) is in database/data.trustdatakey.json: with it the
pseudonymous pupil keys in store/ can be matched to UPNs again; keep the archive as safe as
the live data.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.db import models, router

from trustwide.data.services import analytics_store

from . import archive

FORMAT = "trustwide-trust-export"
VERSION = 1
USER_FIELDS = ("email", "full_name", "job_title")


def owned_objects(trust) -> dict[type[models.Model], list[models.Model]]:
    """Every row that deleting the trust would delete, by model (the trust itself included)."""
    collector = NestedObjects(using=router.db_for_write(type(trust)))
    collector.collect([trust])
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for model, instances in collector.data.items():
        by_model[model].extend(sorted(instances, key=lambda o: o.pk))
    return by_model


def _store_folders(store, trust_id) -> list[tuple[Path, str]]:
    """(folder, path inside store/) of everything the trust owns in the store."""
    root = store.root
    out = []
    if not root.is_dir():
        return out
    for dataset in sorted(root.iterdir()):
        if dataset.name.startswith((".", "_")):
            continue
        out.append((dataset / f"trust={trust_id}", f"{dataset.name}/trust={trust_id}"))
    shards = root / "_shards"
    if shards.is_dir():
        out += [
            (n / f"trust={trust_id}", f"_shards/{n.name}/trust={trust_id}")
            for n in sorted(shards.iterdir())
        ]
    for info in store.list_batches(trust_id=trust_id):
        out.append((root / "_batches" / info.batch_id, f"_batches/{info.batch_id}"))
    return [(folder, rel) for folder, rel in out if folder.is_dir()]


def export_trust(trust, out) -> dict:
    from trustwide.accounts.models import User

    out = Path(out).resolve()
    staging = archive.staging_dir(out.parent, ".trustwide-export-")
    try:
        owned = owned_objects(trust)
        counts: dict[str, int] = {}
        media: set[str] = set()
        database = staging / "database"
        database.mkdir()
        for model, instances in sorted(owned.items(), key=lambda kv: kv[0]._meta.label_lower):
            label = model._meta.label_lower
            (database / f"{label}.json").write_text(
                serializers.serialize("json", instances, indent=1)
            )
            counts[label] = len(instances)
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField):
                    media |= {
                        getattr(o, field.attname).name
                        for o in instances
                        if getattr(o, field.attname)
                    }
        member_ids = {m.user_id for m in owned.get(_membership_model(), [])}
        people = list(User.objects.filter(pk__in=member_ids).order_by("pk"))
        (database / "accounts.user.json").write_text(
            serializers.serialize("json", people, fields=USER_FIELDS, indent=1)
        )
        counts["accounts.user"] = len(people)

        store = analytics_store()
        with store.reading(trust.pk):
            store_files = sum(
                archive.copy_tree(folder, staging / "store" / rel)
                for folder, rel in _store_folders(store, trust.pk)
            )
        media_root = Path(settings.MEDIA_ROOT)
        for name in sorted(media):
            if (media_root / name).is_file():
                archive.link_or_copy(media_root / name, staging / "media" / name)
        manifest = archive.write(
            staging,
            out,
            {
                "format": FORMAT,
                "version": VERSION,
                "created_at": archive.now(),
                "trust": {"id": trust.pk, "slug": trust.slug, "name": trust.name},
                "counts": {"rows": counts, "store_files": store_files, "media_files": len(media)},
                "notes": "database/*.json: Django JSON serializer; store/: Parquet, layout of docs/DATA.md; "
                "database/data.trustdatakey.json links the store's pupil keys to UPNs.",
            },
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _membership_model():
    from trustwide.accounts.models import Membership

    return Membership


def read_manifest(path) -> dict:
    tar, manifest = archive.open_checked(Path(path), format_name=FORMAT, max_version=VERSION)
    tar.close()
    return manifest
