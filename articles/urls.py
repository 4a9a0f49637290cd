from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("supplements/<slug:slug>/", views.supplement_detail, name="supplement"),
    path("preview/<str:token>/", views.article_preview, name="preview"),
]
