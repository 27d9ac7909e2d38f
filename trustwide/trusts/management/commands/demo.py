import time
from contextlib import contextmanager

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from trustwide.audit.services import data_version_bumped_once
from trustwide.common.extensions import app_modules
from trustwide.trusts import demo


@contextmanager
def _no_inner_savepoints():
    """The demo is one transaction that is built whole or rolled back whole, so the savepoint
    each service's nested atomic block opens (SAVEPOINT and RELEASE: half of the build's
    queries, a round trip each on PostgreSQL) protects nothing a caller relies on here. Without
    them an error anywhere still rolls everything back (Django marks the transaction for
    rollback); only code that caught an error from a nested block and carried on could notice;
    the demo has none. PostgreSQL honours this (100 schools: 137 -> 118 s); Django's SQLite
    backend keeps its savepoints inside atomic blocks regardless (they are cheap there)."""
    features = connection.features
    previous, features.uses_savepoints = features.uses_savepoints, False
    try:
        yield
    finally:
        features.uses_savepoints = previous


class Command(BaseCommand):
    help = "Build the demo trust (deterministic from --seed). Re-running it resets the demo."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--schools", type=int, default=12)
        parser.add_argument("--hubs", type=int, default=3)

    def handle(self, *args, seed, schools, hubs, **options):
        started = time.monotonic()
        # One transaction; every write is audited as usual, and each trust's data version (the
        # key of cached reports) is bumped once at the end instead of at each of ~35,000 writes.
        with transaction.atomic(), _no_inner_savepoints(), data_version_bumped_once():
            demo.reset_demo()
            self.stdout.write("  adding the trust, its schools and people ...", ending="")
            self.stdout.flush()
            ctx = demo.build_trust(seed=seed, schools=schools, hubs=hubs)
            self.stdout.write(f" {time.monotonic() - started:.1f} s")
            for module in app_modules("demo"):
                if module is demo:
                    continue
                config = apps.get_containing_app_config(module.__name__)
                self.stdout.write(f"  adding {config.verbose_name.lower()} ...", ending="")
                self.stdout.flush()
                step = time.monotonic()
                module.build(ctx)
                self.stdout.write(f" {time.monotonic() - step:.1f} s")
            demo.set_demo_passwords()  # people the apps added (e.g. parent governors) too
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo trust '{ctx.trust.name}' built in {elapsed:.1f} s: "
                f"{len(ctx.hubs)} hubs, {len(ctx.schools)} schools, {len(ctx.logins)} users."
            )
        )
        self.stdout.write(f"\nDemo logins (every password: {demo.DEMO_PASSWORD})")
        self.stdout.write(
            "Two-step login (MFA) is OFF for the demo trust so these logins work with a password "
            "alone;\na real trust requires it for pupil-data and trust roles (People page: trust setting).\n"
        )
        width = max(len(role) for role, _, _ in ctx.logins)
        for role, where, email in ctx.logins:
            self.stdout.write(f"  {role:<{width}}  {email:<40} {where}")
