from django.core.management.base import BaseCommand

from accounts.services import DEMO_PASSWORD
from config.seeding import seed_all


class Command(BaseCommand):
    help = (
        "Load the seed data in fixtures/ (every app's, or the named ones) into empty tables "
        "only: a restart never overwrites what users changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="*", help="fixture names, e.g. luna pupmatch")
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            default=None,
            help="give the seeded accounts the documented demo password (else they have none; "
            "DEMO_ACCOUNTS=true does the same)",
        )

    def handle(self, *args, **options):
        # Audited as `command:seed` (config.audit.install_command_actor).
        results = seed_all(options["fixtures"] or None, demo_accounts=options["demo_accounts"])
        for result in results:
            if result.demo_accounts:
                self.stdout.write(
                    f"  {result.fixture}: loaded {result.objects} objects; "
                    f"{result.demo_accounts} demo accounts with the password {DEMO_PASSWORD}"
                )
            elif result.accounts:
                self.stdout.write(
                    f"  {result.fixture}: loaded {result.objects} objects; {result.accounts} "
                    "accounts without a usable password (--demo-accounts for the demo password)"
                )
            elif result.loaded:
                self.stdout.write(f"  {result.fixture}: loaded {result.objects} objects")
            else:
                self.stdout.write(f"  {result.fixture}: skipped ({result.reason})")
        loaded = sum(result.loaded for result in results)
        self.stdout.write(self.style.SUCCESS(f"seed: {loaded} of {len(results)} fixtures loaded"))
