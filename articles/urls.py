from django.urls import path

from mgsite.page_cache.pages import cached_for_visitors as cached

from . import views
from .feeds import LatestArticlesAtomFeed, LatestArticlesFeed

app_name = "articles"

# Pages that are the same for every visitor come from the page cache (mgsite.page_cache).
urlpatterns = [
    path("", cached(views.home), name="home"),
    path("articles/<slug:slug>/", cached(views.article_detail), name="detail"),
    path("supplements/", cached(views.supplement_list), name="supplements"),
    path("supplements/<slug:slug>/", cached(views.supplement_detail), name="supplement"),
    path("search/", views.search_page, name="search"),
    path("feeds/rss/", cached(LatestArticlesFeed()), name="feed-rss"),
    path("feeds/atom/", cached(LatestArticlesAtomFeed()), name="feed-atom"),
    path("people/<slug:slug>/", cached(views.person_detail), name="person"),
    path("preview/<str:token>/", views.article_preview, name="preview"),
    # About, Editorial policy, Corrections (models.SitePage): last, as any other path wins.
    path("<slug:slug>/", cached(views.site_page), name="page"),
]
