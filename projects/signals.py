"""Cache invalidation only (no business rules): a write to an AI model row, from the admin, a
fixture or the shell, drops the cached price table."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from projects.models import AIModel
from projects.pricing import price_table_invalidate


@receiver(post_save, sender=AIModel, dispatch_uid="yago_prices_saved")
@receiver(post_delete, sender=AIModel, dispatch_uid="yago_prices_deleted")
def _prices_changed(**kwargs) -> None:
    price_table_invalidate()
    # Again once committed: a request may have re-read the old rows in between.
    transaction.on_commit(price_table_invalidate)
