"""Login throttling behind proxies counts failures by the visitor's address (cms/client_ip.py): the
one the trusted proxies (AXES_IPWARE_PROXY_COUNT of them) appended to X-Forwarded-For, never one the
visitor wrote there."""

import pytest
from django.test import RequestFactory

from cms.client_ip import client_ip


def from_proxies(forwarded_for):
    return RequestFactory().get("/admin/login/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR="127.0.0.1")


@pytest.mark.parametrize(
    ("count", "forwarded_for", "visitor"),
    [
        (None, "198.51.100.2", "127.0.0.1"),  # No proxies declared: the peer's address.
        (1, "198.51.100.2", "198.51.100.2"),  # nginx alone appended the visitor's address.
        (1, "203.0.113.9, 198.51.100.2", "198.51.100.2"),  # The visitor's own entry is ignored.
        (2, "203.0.113.9, 198.51.100.2, 10.0.0.5", "198.51.100.2"),  # TLS terminator, then nginx.
        (2, "198.51.100.2", "198.51.100.2"),  # Fewer entries than proxies: the nearest.
        (1, "", "127.0.0.1"),
        (1, "not an address", "127.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_visitor_is_the_address_the_trusted_proxies_name(settings, count, forwarded_for, visitor):
    settings.AXES_IPWARE_PROXY_COUNT = count

    assert client_ip(from_proxies(forwarded_for)) == visitor
