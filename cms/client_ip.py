"""The visitor's address, for login throttling (django-axes) behind proxies.

Behind nginx (and a TLS terminator in front of it), every request reaches gunicorn from loopback, so
REMOTE_ADDR names the proxy, not the visitor: throttling by address would then lock an account out
for everyone. Each proxy appends the address it was reached from to X-Forwarded-For, so with
``count`` trusted proxies the visitor's address is the ``count``-th from the right; anything further
left was written by the visitor and is not trusted.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The address AXES_IPWARE_PROXY_COUNT proxies say the request came from (REMOTE_ADDR without them)."""
    count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    address = request.META.get("REMOTE_ADDR")
    if count and forwarded:
        # Fewer entries than proxies: the request passed fewer of them; the first entry is the nearest.
        address = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR")
