"""The admin Markdown editor's endpoints, for staff who may write articles.

markdownx's widget posts to these paths for its live preview and its image uploads.
Upstream's views answer any visitor; these need a staff login with permission to add or
change articles (the Editors group has both).
"""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from . import rendering
from .models import Citation, Image, Reference
from .uploads import ImageUploadForm


def editor_required(view):
    @staff_member_required
    @wraps(view)
    def check(request, *args, **kwargs):
        user = request.user
        if not (user.has_perm("articles.add_article") or user.has_perm("articles.change_article")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return check


def preview_html(text):
    """The live preview of one field, through the same pipeline as the page: citations
    numbered within it with a reference list under it, and unknown markers called out."""
    keys = rendering.cited_keys(text)
    references = {ref.key: ref for ref in Reference.objects.filter(key__in=keys)}
    figures = Image.objects.figures(rendering.image_ids(text))
    document = rendering.render_document([text], known_keys=references, figures=figures)
    listed = [
        Citation(number=n, reference=references[key])
        for n, key in enumerate(document.citations, start=1)
    ]
    extra = render_to_string(
        "articles/_preview_citations.html",
        {
            "citations": listed,
            "unknown": [key for key in keys if key not in references],
            "too_deep": rendering.too_deeply_nested(text),
        },
    )
    return document.html[0] + extra


@require_POST
@editor_required
def markdownify(request):
    text = request.POST.get("content", "")
    limit = rendering.MAX_FIELD_CHARS
    if len(text) > limit:
        # markdownx puts any answer into the preview: this one explains itself there.
        message = format_html(
            '<p class="errornote" role="alert">No preview: this text has {} characters; one '
            "field may hold {}. Split it into more sections.</p>",
            f"{len(text):,}",
            f"{limit:,}",
        )
        return HttpResponse(message, status=413)
    return HttpResponse(preview_html(text))


@require_POST
@editor_required
def upload_image(request):
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [message for messages in form.errors.values() for message in messages]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    image = form.save(user=request.user)
    # markdownx inserts this as it is. The library asks for the image's alt text before any
    # article showing it can be saved (articles.forms).
    return JsonResponse({"image_code": f"![]({image.reference})", "id": image.pk})
