"""The client's address, and the forwarded headers, trusted only from the named proxy.

A reverse proxy in front of the application adds ``X-Forwarded-For`` (the client's address)
and ``X-Forwarded-Proto`` (https). Anyone who reaches the web port directly can send the
same headers, so they mean something only on a request that came from the proxy itself:
``TRUSTED_PROXIES`` (``DJANGO_TRUSTED_PROXIES``) lists its addresses or networks.

:class:`TrustedProxyMiddleware`, first in the chain, removes the forwarded headers from
every request whose peer is not a trusted proxy, and on a request from one sets
``REMOTE_ADDR`` to the client's address: the rightmost address of ``X-Forwarded-For``
that is not itself a trusted proxy (addresses further left are what the client claimed).
Everything after it — the login throttle, the logs, Django's HTTPS detection — reads the
address and the scheme as they are, with nothing to forge.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.checks import Warning, register

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in proxies if item.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted_proxy(text: str) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in trusted_networks())


def forwarded_client(peer: str, forwarded_for: str) -> str:
    """The client's address for a request from ``peer`` carrying ``forwarded_for``.

    From an untrusted peer: the peer. From a trusted proxy: walking ``X-Forwarded-For``
    from the right, the first address that is not a trusted proxy (the one the outermost
    trusted proxy saw); the peer when the header holds nothing usable.
    """
    if not forwarded_for or not is_trusted_proxy(peer):
        return peer
    for item in reversed(forwarded_for.split(",")):
        address = _address(item)
        if address is None:
            return peer  # a malformed entry: what lies beyond it cannot be trusted
        if not is_trusted_proxy(str(address)):
            return str(address)
    return peer


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        if is_trusted_proxy(peer):
            meta["REMOTE_ADDR"] = forwarded_client(peer, meta.get("HTTP_X_FORWARDED_FOR", ""))
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


@register("security", deploy=True)
def check_proxy_settings(app_configs, **kwargs):
    """Trusting X-Forwarded-Proto needs the proxy named, or the header never arrives."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not trusted_networks():
        return [Warning(
            "SECURE_PROXY_SSL_HEADER is set but DJANGO_TRUSTED_PROXIES names no proxy: "
            "X-Forwarded-Proto is removed from every request, so no request counts as HTTPS.",
            id="proposals.W001",
        )]
    return []
