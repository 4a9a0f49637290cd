"""Public pages. Thin: choose live versions with `visible()`, hand them to a template.

Readers only ever get live versions (articles.publishing). A preview (staff, or a share
link) shows the draft through the same view code and template: only the banner, `noindex`
and no-store differ.
"""

from csp.decorators import csp_replace
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.clickjacking import xframe_options_sameorigin

from mgsite.page_cache.edge import add_keys

from . import previews, rendering, search, seo, surrogate_keys
from .models import (
    Article,
    LiveVersion,
    Person,
    SitePage,
    SiteSettings,
    SlugRedirect,
    Supplement,
)

# A portrait's width on the person page (static/css/site.css, .person-photo).
PORTRAIT_SIZES = "10rem"


def _listed(queryset):
    """Live versions as lists show them: newest first, with their supplements."""
    return queryset.order_by("-first_published_at", "-pk").prefetch_related("supplements")


def _render_article(request, version, **context):
    related = list(LiveVersion.objects.related_to(version, settings.RELATED_ARTICLES))
    add_keys(request, surrogate_keys.for_article_page(version, related))
    context |= {
        "article": version,
        "related_articles": related,
        "site_settings": SiteSettings.load(),
        "canonical_url": seo.canonical_url(request, version),
        "json_ld": seo.json_ld(request, version),
        "image_url": seo.share_image_url(request, version),
    }
    return render(request, "articles/article_detail.html", context)


def _supplements_with_articles():
    """Supplements with at least one live article, each with its count (one query)."""
    return Supplement.objects.annotate(
        article_count=Count(
            "live_versions", filter=Q(live_versions__in=LiveVersion.objects.visible())
        )
    ).filter(article_count__gt=0)


def home(request):
    page = Paginator(_listed(LiveVersion.objects.visible()), settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    articles = list(page)
    # The first page leads with the newest article, shown larger.
    featured = articles.pop(0) if page.number == 1 and articles else None
    context = {
        "page_obj": page,
        "featured": featured,
        "articles": articles,
        "supplements": _supplements_with_articles(),
    }
    add_keys(
        request,
        {surrogate_keys.ARTICLES, surrogate_keys.SUPPLEMENTS}
        | surrogate_keys.for_cards(page, pictures=True),
    )
    return render(request, "articles/home.html", context)


def _may_preview(user):
    return user.is_staff and user.has_perm("articles.view_article")


def article_detail(request, slug):
    may_preview = _may_preview(request.user)
    if may_preview and "draft" in request.GET:
        # Staff: the draft at its own address (?draft), as readers would get it if published.
        draft = Article.objects.filter(slug=slug).first()
        if draft is not None:
            return _preview(request, draft)
    version = (
        LiveVersion.objects.visible()
        .filter(slug=slug)
        .select_related("approval__reviewer")
        .prefetch_related("supplements")
    )
    if (found := version.first()) is not None:
        return _render_article(request, found)
    if may_preview and (draft := Article.objects.filter(slug=slug).first()) is not None:
        return _preview(request, draft)
    # An old address: one permanent redirect to wherever the article is live now.
    old = SlugRedirect.objects.filter(old_slug=slug).values("article")
    moved = LiveVersion.objects.visible().filter(article__in=old).first()
    if moved is not None:
        return redirect(moved, permanent=True)
    raise Http404("No published article at this address.")


def article_preview(request, token):
    """A shared preview link: the article's draft, for someone without an account."""
    article = previews.article_for_token(token, Article.objects.all())
    if article is None:
        raise Http404("This preview link is not valid: it may have expired or been revoked.")
    return _preview(request, article)


def _preview(request, article):
    """The draft's page as readers will get it once published, through the same code."""
    publishing = article.publishing()
    response = _render_article(
        request, LiveVersion.from_draft(article), preview=True, publishing=publishing
    )
    # Never kept by a cache or listed by a search engine.
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def unsaved_preview(request, version, publishing, unsaved=True):
    """The editor's live preview (articles.autosave): the page their unsaved form would
    make. The one page the site itself may frame (the change form's preview panel)."""
    response = _render_article(
        request, version, preview=True, unsaved=unsaved, publishing=publishing
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def unsaved_preview_problem(request, message):
    response = render(request, "articles/preview_problem.html", {"message": message}, status=413)
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


def supplement_detail(request, slug):
    supplement = get_object_or_404(Supplement, slug=slug)
    versions = LiveVersion.objects.visible().filter(supplements=supplement)
    if not versions.exists():
        # Only drafts are about it: readers have nothing here (and the list leaves it out).
        raise Http404("No published article about this supplement.")
    page = Paginator(_listed(versions), settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    keys = {surrogate_keys.supplement(supplement.pk), surrogate_keys.about(supplement.pk)}
    add_keys(request, keys | surrogate_keys.for_cards(page, pictures=True))
    return render(
        request, "articles/supplement_detail.html", {"supplement": supplement, "page_obj": page}
    )


def supplement_list(request):
    add_keys(request, {surrogate_keys.SUPPLEMENTS})  # renaming one purges this key too
    return render(
        request, "articles/supplement_list.html", {"supplements": _supplements_with_articles()}
    )


def person_detail(request, slug):
    """An author's or medical reviewer's page: who they are, and the articles readers get
    with their name on them (as an author, or as the reviewer whose approval the live
    version carries). Nobody else's: a person no visible article names is not public."""
    person = get_object_or_404(Person.objects.select_related("photo"), slug=slug)
    wrote = Exists(
        LiveVersion.author_people.through.objects.filter(liveversion=OuterRef("pk"), person=person)
    )
    reviewed = Q(approval__reviewer=person)
    versions = (
        LiveVersion.objects.visible()
        .alias(wrote=wrote)
        .filter(Q(wrote=True) | reviewed)
        .annotate(wrote=wrote, reviewed=ExpressionWrapper(reviewed, output_field=BooleanField()))
    )
    page = Paginator(_listed(versions), settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if not page.paginator.count:
        raise Http404("Nobody of that name is on a published article.")
    add_keys(request, surrogate_keys.for_person_page(person.pk, page))
    context = {
        "person": person,
        "page_obj": page,
        "photo_html": (
            rendering.picture_html(person.photo.figure(), PORTRAIT_SIZES) if person.photo_id else ""
        ),
    }
    return render(request, "articles/person_detail.html", context)


def site_page(request, slug):
    page = get_object_or_404(SitePage, slug=slug)
    add_keys(request, {surrogate_keys.site_page(page.pk)})
    return render(request, "articles/site_page.html", {"page": page})


def search_page(request):
    query = request.GET.get("q", "").strip()
    found = search.search(query)
    page = Paginator(found, settings.ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    ids = list(page)
    articles = LiveVersion.objects.prefetch_related("supplements").in_bulk(ids)
    passages = search.snippets(query, ids)
    results = [(articles[pk], passages.get(pk, "")) for pk in ids]
    context = {
        "query": query,
        "page_obj": page,
        "results": results,
        "more": found.more,
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
