"""Tell the caching proxies in front (``PAGE_CACHE_PURGE_URLS``) what changed.

Each proxy gets one ``PURGE`` request per change with the surrogate keys in an ``xkey-purge`` header,
which ``deploy/varnish/newsroom.vcl`` hands to Varnish's xkey module: every page whose ``Surrogate-Key``
header names one of them is dropped. A CDN with its own purge API (Fastly's surrogate keys, Cloudflare's
cache tags) plugs in the same way with ``pagecache.add_purge_listener``.
"""

import logging
import urllib.request

from django.conf import settings

logger = logging.getLogger("newsroom")

TIMEOUT = 2.0


def purge_proxies(keys):
    for url in settings.PAGE_CACHE_PURGE_URLS:
        request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": " ".join(keys)})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - the deployer's URL
                response.read()
        except OSError as error:
            logger.warning("Proxy at %s could not be purged: %s", url, error)
