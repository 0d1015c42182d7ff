"""Django's PostgreSQL backend (psycopg 3) with a health check that costs no round trip.

`CONN_HEALTH_CHECKS` makes Django check a kept connection before a request's first query;
the stock check is a `SELECT 1`, a round trip of ~0.11 ms on this machine kind — a tenth of a
one-query route (issue 11). Between requests nothing is in flight, so the server has nothing
to say: if the connection's socket is readable, the server spoke or hung up (it restarted, an
administrator or an idle timeout ended the session, a proxy closed the connection). Only
then is the `SELECT 1` needed; it fails on a dead connection and Django opens a new one.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None or self.connection.closed or self.connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(self.connection.fileno(), select.POLLIN)
            quiet = not poller.poll(0)
        except (OSError, ValueError, base.Database.Error):  # no socket any more
            return False
        return quiet or super().is_usable()
