from django.urls import path

from . import views
from .feeds import LatestArticlesAtomFeed, LatestArticlesFeed

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("supplements/", views.supplement_list, name="supplements"),
    path("supplements/<slug:slug>/", views.supplement_detail, name="supplement"),
    path("search/", views.search, name="search"),
    path("feeds/rss/", LatestArticlesFeed(), name="feed-rss"),
    path("feeds/atom/", LatestArticlesAtomFeed(), name="feed-atom"),
    path("preview/<str:token>/", views.article_preview, name="preview"),
]
