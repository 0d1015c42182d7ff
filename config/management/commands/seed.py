from django.core.management.base import BaseCommand

from config.seeding import seed_all


class Command(BaseCommand):
    help = (
        "Load the seed data in fixtures/ (every app's, or the named ones) into empty tables "
        "only: a restart never overwrites what users changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="*", help="fixture names, e.g. luna pupmatch")

    def handle(self, *args, **options):
        # Audited as `command:seed` (config.audit.install_command_actor).
        results = seed_all(options["fixtures"] or None)
        for result in results:
            if result.loaded:
                self.stdout.write(f"  {result.fixture}: loaded {result.objects} objects")
            else:
                self.stdout.write(f"  {result.fixture}: skipped ({result.reason})")
        loaded = sum(result.loaded for result in results)
        self.stdout.write(self.style.SUCCESS(f"seed: {loaded} of {len(results)} fixtures loaded"))
