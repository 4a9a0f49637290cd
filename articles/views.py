"""Public pages. Thin: choose the rows with `published()`, hand them to a template."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import previews, search, seo, site_settings
from .models import Article, Citation, SlugRedirect, Supplement


def _listed(queryset):
    """Articles as lists show them: with their supplements, in one extra query."""
    return queryset.published().prefetch_related("supplements")


def _for_article_page(queryset):
    """The article and what the page prints of it: one query each, whatever their number."""
    return queryset.select_related("author").prefetch_related(
        "sections",
        "supplements",
        "updates",
        Prefetch("citations", queryset=Citation.objects.select_related("reference")),
    )


def _render_article(request, article, **context):
    context |= {
        "article": article,
        "related_articles": Article.objects.related_to(article, settings.RELATED_ARTICLES),
        "site_settings": site_settings.current(),
        "canonical_url": seo.canonical_url(request, article),
        "json_ld": seo.json_ld(request, article),
    }
    return render(request, "articles/article_detail.html", context)


def home(request):
    page = Paginator(_listed(Article.objects.all()), settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "articles/home.html", {"page_obj": page})


def article_detail(request, slug):
    article = _for_article_page(Article.objects.published()).filter(slug=slug).first()
    if article is not None:
        return _render_article(request, article)

    may_preview = request.user.is_staff and request.user.has_perm("articles.view_article")
    if may_preview:
        unpublished = _for_article_page(Article.objects.all()).filter(slug=slug).first()
        if unpublished is not None:
            return _preview(request, unpublished)

    # An old address: one permanent redirect to wherever the article is now.
    visible = Article.objects.all() if may_preview else Article.objects.published()
    old = SlugRedirect.objects.filter(old_slug=slug, article__in=visible).select_related("article")
    if (found := old.first()) is not None:
        return redirect(found.article, permanent=True)
    raise Http404("No published article at this address.")


def article_preview(request, token):
    """A shared preview link: the article as saved, for someone without an account."""
    article = previews.article_for_token(token, _for_article_page(Article.objects.all()))
    if article is None:
        raise Http404("This preview link is not valid: it may have expired or been revoked.")
    return _preview(request, article)


def _preview(request, article):
    """The article's page as readers will get it, through the same code; only the banner,
    `noindex` and no-store differ."""
    response = _render_article(request, article, preview=True)
    # Never kept by a cache or listed by a search engine.
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


def supplement_detail(request, slug):
    supplement = get_object_or_404(Supplement, slug=slug)
    page = Paginator(_listed(supplement.articles.all()), settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "articles/supplement_detail.html", {"supplement": supplement, "page_obj": page}
    )


def supplement_list(request):
    supplements = Supplement.objects.annotate(
        article_count=Count("articles", filter=Q(articles__in=Article.objects.published()))
    )
    return render(request, "articles/supplement_list.html", {"supplements": supplements})


def search_page(request):
    query = request.GET.get("q", "").strip()
    page = Paginator(search.search(query), settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ids = list(page)
    articles = Article.objects.prefetch_related("supplements").in_bulk(ids)
    passages = search.snippets(query, ids)
    results = [(articles[pk], passages.get(pk, "")) for pk in ids]
    context = {
        "query": query,
        "page_obj": page,
        "results": results,
        "too_long": len(query) > search.MAX_QUERY_LENGTH,
        "max_length": search.MAX_QUERY_LENGTH,
    }
    return render(request, "articles/search.html", context)


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /markdownx/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
