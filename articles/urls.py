from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("corrections/", views.CorrectionsView.as_view(), name="corrections"),
    path("corrections/feed/", feeds.CorrectionsFeed(), name="corrections_feed"),
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("feed/atom/", feeds.ArticleAtomFeed(), name="atom_feed"),
    path("feed.xml", views.feed_redirect, name="old_feed"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("section/<slug:slug>/feed/", feeds.SectionFeed(), name="section_feed"),
    path("section/<slug:slug>/feed/atom/", feeds.SectionAtomFeed(), name="section_atom_feed"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("tag/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tag/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_atom_feed"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("author/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("author/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author_atom_feed"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    path("archive/<int:year>/", views.ArchiveView.as_view(), name="archive_year"),
    path("archive/<int:year>/<int:month>/", views.ArchiveView.as_view(), name="archive_month"),
    path("archive/<int:year>/<int:month>/<int:day>/", views.ArchiveView.as_view(), name="archive_day"),
    path("archive/<int:year>/feed/", feeds.ArchiveFeed(), name="archive_year_feed"),
    path("archive/<int:year>/<int:month>/feed/", feeds.ArchiveFeed(), name="archive_month_feed"),
    path("archive/<int:year>/<int:month>/<int:day>/feed/", feeds.ArchiveFeed(), name="archive_day_feed"),
    path("<slug:section>/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("<slug:section>/<slug:slug>/updates/", views.LiveUpdatesView.as_view(), name="live_updates"),
    path("<slug:section>/<slug:slug>/updates/feed/", feeds.LiveUpdatesFeed(), name="live_updates_feed"),
    path("<slug:section>/<slug:slug>/updates/<int:pk>/", views.LiveUpdateDetailView.as_view(), name="live_update"),
]
