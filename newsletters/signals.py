"""What the rest of the site's changes mean for readers' alerts."""

from articles.models import Article

from .tasks import queue_alert


def alert_on_publish(sender, instance, raw=False, **kwargs):
    """A story saved as published (now or scheduled) starts its alert once; see ``tasks.queue_alert``."""
    if not raw and instance.status == Article.Status.PUBLISHED:
        queue_alert(instance)
