from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Readers and alerts"

    def ready(self):
        from django.db.models.signals import post_save

        from articles.models import Article

        from .signals import alert_on_publish

        # The articles app knows nothing of readers: alerts listen to its saves from here.
        post_save.connect(alert_on_publish, sender=Article, dispatch_uid="newsletters-alert-on-publish")
