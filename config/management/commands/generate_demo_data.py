import importlib
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.services import DEMO_PASSWORD

# app name → module with generate(*, scale, rng, batch_size, progress) -> {table: rows}
GENERATORS = {
    "luna": "venues.demo",
    "pupmatch": "matching.demo",
    "yago": "projects.demo",
    "memory": "memory.demo",
}
# Generators that create accounts take `demo_accounts` (the documented demo password, else none).
ACCOUNT_GENERATORS = {"pupmatch"}


class Command(BaseCommand):
    help = (
        "Generate a realistic data set for every app in proportion to --scale (at 1: 100k Luna "
        "members, 10k venues, 1M interests, 500k friendships; 100k PupMatch profiles and 1M "
        "messages; 10k YAGO projects; 100k EdgeSoul users with 1M memories; 1k learners with 500k "
        "words). Bulk inserts in batches, deterministic for a given --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--only", nargs="*", choices=sorted(GENERATORS), help="apps to generate"
        )
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            default=None,
            help="give the generated accounts the documented demo password (else they have "
            "none; DEMO_ACCOUNTS=true does the same)",
        )

    def handle(self, *args, **options):
        if options["scale"] <= 0:
            raise CommandError("--scale must be positive")
        apps = options["only"] or list(GENERATORS)
        demo_accounts = options["demo_accounts"]
        if demo_accounts is None:
            demo_accounts = settings.DEMO_ACCOUNTS
        totals: dict[str, int] = {}
        started = time.monotonic()
        for app in apps:
            module = importlib.import_module(GENERATORS[app])
            bars: dict[str, tqdm] = {}

            def progress(table, done, total, bars=bars, app=app):
                bar = bars.get(table)
                if bar is None:
                    bar = bars[table] = tqdm(
                        total=total, desc=f"{app}: {table}", unit="rows", file=self.stderr
                    )
                bar.update(done - bar.n)

            app_started = time.monotonic()
            extra = {"demo_accounts": demo_accounts} if app in ACCOUNT_GENERATORS else {}
            # Audited as `command:generate_demo_data` (config.audit.install_command_actor).
            written = module.generate(
                scale=options["scale"],
                rng=random.Random(f"{options['seed']}-{app}"),
                batch_size=options["batch_size"],
                progress=progress,
                **extra,
            )
            for bar in bars.values():
                bar.close()
            totals.update(written)
            self.stdout.write(
                f"{app}: {sum(written.values()):,} rows in {time.monotonic() - app_started:.1f} s"
            )
        accounts = totals.get("accounts_user", 0)
        if accounts:
            self.stdout.write(
                f"  {accounts:,} accounts with the demo password {DEMO_PASSWORD}"
                if demo_accounts
                else f"  {accounts:,} accounts without a usable password (--demo-accounts for "
                "the demo password)"
            )
        for table, rows in totals.items():
            self.stdout.write(f"  {table:<40} {rows:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"generate_demo_data: {sum(totals.values()):,} rows in {time.monotonic() - started:.1f} s"
            )
        )
