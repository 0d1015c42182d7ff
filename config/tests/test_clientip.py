"""config.clientip.client_ip: REMOTE_ADDR unless the deployment names its proxies."""

import pytest
from django.test import RequestFactory

from config.clientip import client_ip


def _ip(remote="192.0.2.10", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_by_default_x_forwarded_for_is_ignored():
    assert _ip(forwarded="203.0.113.7") == "192.0.2.10"


@pytest.mark.parametrize(
    "forwarded, expected",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client wrote the left entry
        ("203.0.113.7, 10.0.0.5", "203.0.113.7"),  # past a second trusted proxy
        ("10.0.0.6, 10.0.0.5", "10.0.0.6"),  # only our proxies: the request began there
        ("not-an-ip, 10.0.0.5", "192.0.2.10"),  # a malformed hop: believe nothing
        ("", "192.0.2.10"),
        (" 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_trusted_proxies(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = ["192.0.2.10", "10.0.0.0/8"]
    assert _ip(forwarded=forwarded) == expected


def test_a_peer_that_is_not_a_trusted_proxy_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _ip(remote="198.51.100.3", forwarded="203.0.113.7") == "198.51.100.3"


@pytest.mark.parametrize(
    "num_proxies, forwarded, expected",
    [
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7", "198.51.100.1"),
        (3, "198.51.100.1, 203.0.113.7", "198.51.100.1"),  # fewer entries than proxies
        (1, None, "192.0.2.10"),
        (1, "garbage", "192.0.2.10"),
        (0, "203.0.113.7", "192.0.2.10"),
    ],
)
def test_num_proxies(settings, num_proxies, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    assert _ip(forwarded=forwarded) == expected


def test_trusted_proxies_take_precedence_over_num_proxies(settings):
    settings.TRUSTED_PROXIES = ["192.0.2.10"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 2}
    assert _ip(forwarded="198.51.100.1, 203.0.113.7") == "203.0.113.7"
