from django.http import HttpResponsePermanentRedirect

from .models import Article, ArticleRedirect


class ArticleRedirectFallbackMiddleware:
    """On a 404, send old addresses of published articles to where they live now (301)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        path = request.path
        candidates = {path, path.rstrip("/") or "/", path if path.endswith("/") else path + "/"}
        redirect = (
            ArticleRedirect.objects.filter(old_path__in=candidates, article__in=Article.objects.published())
            .select_related("article__section")
            .first()
        )
        if redirect is None:
            return response
        return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())
