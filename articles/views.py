"""Public pages. Thin: choose the rows with `published()`, hand them to a template."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .models import Article, Supplement


def _listed(queryset):
    """Articles as lists show them: with their supplements, in one extra query."""
    return queryset.published().prefetch_related("supplements")


def home(request):
    page = Paginator(_listed(Article.objects.all()), settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "articles/home.html", {"page_obj": page})


def article_detail(request, slug):
    article = get_object_or_404(
        Article.objects.published()
        .select_related("author")
        .prefetch_related(
            "sections",
            "supplements",
            Prefetch("related", queryset=Article.objects.published(), to_attr="related_published"),
        ),
        slug=slug,
    )
    return render(request, "articles/article_detail.html", {"article": article})


def supplement_detail(request, slug):
    supplement = get_object_or_404(Supplement, slug=slug)
    page = Paginator(_listed(supplement.articles.all()), settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "articles/supplement_detail.html", {"supplement": supplement, "page_obj": page}
    )
