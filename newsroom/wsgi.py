import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# Page-cache hits are answered in front of Django (newsroom/pagecache_app.py); everything else goes through.
from newsroom.pagecache_app import PageCacheApp  # noqa: E402

application = PageCacheApp(get_wsgi_application())
