"""`trustwide gias import FILE --trust SLUG --trust-code CODE [--links LINKS] [--dry-run]`: the
import page's service from the command line (the same checks, all or nothing)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from trustwide.trusts import gias, services
from trustwide.trusts.models import Trust

LABEL = "trustwide gias import"


class Command(BaseCommand):
    help = "Import a trust's schools from GIAS's all establishment data CSV."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="create, update and close the trust's schools from a GIAS file"
        )
        imp.add_argument("file")
        imp.add_argument("--trust", required=True, help="the trust's slug on this site")
        group = imp.add_mutually_exclusive_group(required=True)
        group.add_argument("--trust-code", default="", help="GIAS 'Trusts (code)'")
        group.add_argument("--trust-name", default="", help="GIAS 'Trusts (name)', exactly")
        imp.add_argument("--links", default="", help="GIAS links file: record earlier URNs")
        imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, action, file, trust, trust_code, trust_name, links, dry_run, **options):
        trust_obj = Trust.objects.filter(slug=trust).first()
        if trust_obj is None:
            raise CommandError(f"No trust with the slug {trust!r}.")
        try:
            handle = open(file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        with handle:
            read = gias.read_establishments(handle, trust_code=trust_code, trust_name=trust_name)
        if read.errors:
            raise CommandError(
                f"{file}: not imported, nothing changed.\n" + "\n".join(str(e) for e in read.errors)
            )
        link_rows = []
        if links:
            with open(links, "rb") as handle:
                link_rows, errors = gias.read_predecessor_links(
                    handle, {e.urn for e in read.establishments}
                )
            if errors:
                raise CommandError(f"{links}: not imported.\n" + "\n".join(str(e) for e in errors))
        code = trust_code or read.establishments[0].trust_code
        try:
            if dry_run:
                plan = services.gias_import_apply(
                    actor=None,
                    actor_label=LABEL,
                    trust=trust_obj,
                    establishments=read.establishments,
                    trust_code=code,
                    dry_run=True,
                )
            else:
                plan = services.gias_import_with_links(
                    actor=None,
                    actor_label=LABEL,
                    trust=trust_obj,
                    establishments=read.establishments,
                    links=link_rows,
                    trust_code=code,
                )
        except ValidationError as exc:
            raise CommandError(
                f"{file}: not imported, nothing changed.\n" + "\n".join(exc.messages)
            ) from exc
        for change in plan.changes:
            if change.action != "unchanged":
                detail = ", ".join(
                    f"{k}: {old!r} -> {new!r}" for k, (old, new) in change.changes.items()
                )
                self.stdout.write(
                    f"{change.action:7} {change.establishment.urn} {change.establishment.fields['name']}"
                    + (f" ({detail})" if detail else "")
                )
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} from {read.rows_read} rows ({read.encoding}): {plan.count('create')} added, "
            f"{plan.count('update')} updated, {plan.count('close')} closed, {plan.count('unchanged')} unchanged"
            + (f"; {len(link_rows)} URN links" if links and not dry_run else "")
            + "."
        )
