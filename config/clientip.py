"""The client's address, the one every throttle, lockout and log line uses.

`REMOTE_ADDR` unless the deployment says which `X-Forwarded-For` entry to believe:

- `TRUSTED_PROXIES` (IPs or CIDRs of our own proxies): when the direct peer is one of them,
  walk `X-Forwarded-For` from the right (the entry our nearest proxy appended) past every
  trusted proxy; the first address that is not ours is the client. Entries to its left were
  written by the client itself and are never believed.
- else `NUM_PROXIES` (DRF's setting: the number of proxies in front of the app): the entry that
  many places from the right, as DRF's throttles read it.
- else (the default) the header is ignored: behind no proxy anyone can write it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The address of the client that sent `request` (a Django or DRF request)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR")
    forwarded = [entry.strip() for entry in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    trusted = getattr(settings, "TRUSTED_PROXIES", ())
    if trusted:
        networks = _networks(tuple(trusted))
        if not _is_trusted(_parse(remote or ""), networks):
            return remote
        for entry in reversed(forwarded):
            address = _parse(entry)
            if address is None:
                return remote  # a malformed hop: believe nothing beyond our own proxy
            if not _is_trusted(address, networks):
                return str(address)
        # Every hop is one of ours: the request started at the leftmost one.
        return forwarded[0] if forwarded else remote
    num_proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    if num_proxies > 0 and forwarded:
        address = _parse(forwarded[-min(num_proxies, len(forwarded))])
        return str(address) if address is not None else remote
    return remote


def login_username(request, credentials) -> str | None:
    """The account a Django login form names, normalised like accounts' emails (django-axes)."""
    from accounts.models import User

    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) or request.POST.get(field)
    return User.objects.normalize_email(username) if username else None
