"""The admin Markdown editor's endpoints, for staff who may write articles.

markdownx's widget posts to these paths for its live preview and its image uploads.
Upstream's views answer any visitor; these need a staff login with permission to add or
change articles (the Editors group has both).
"""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from . import rendering
from .models import Citation, Image, Reference
from .uploads import ImageUploadForm

# Library images the "Insert image" dialog lists at once.
PICKER_RESULTS = 24


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


def _markdown(image):
    """What the editor's text gets: the alt text in the brackets is a reminder for whoever
    reads the Markdown; readers get the library's."""
    alt = image.alt_text.replace("[", "").replace("]", "").replace("\n", " ")
    return f"![{alt}]({image.reference})"


def _listed(image):
    sources = image.renditions.get("sources") or [{"srcset": [["", 0]]}]
    return {
        "id": image.pk,
        "alt": image.alt_text,
        "decorative": image.decorative,
        "described": image.described,
        "caption": image.caption,
        "thumb": sources[-1]["srcset"][0][0],
        "width": image.width,
        "height": image.height,
    }


@require_GET
@editor_required
def image_library(request):
    """The "Insert image" dialog's library: the newest images, or those whose alt text,
    caption or credit match `q`."""
    images = Image.objects.all()
    if query := request.GET.get("q", "").strip()[:100]:
        images = images.filter(
            Q(alt_text__icontains=query) | Q(caption__icontains=query) | Q(credit__icontains=query)
        )
    return JsonResponse({"images": [_listed(image) for image in images[:PICKER_RESULTS]]})


def _description(request):
    alt_text = request.POST.get("alt_text", "").strip()[:300]
    decorative = request.POST.get("decorative") in {"on", "true", "1"}
    if not (alt_text or decorative):
        return None
    return alt_text, decorative


NO_ALT = (
    "Describe the image for readers who cannot see it (alt text), or tick “Decorative” if "
    "it adds nothing the text does not say."
)


@require_POST
@editor_required
def insert_image(request):
    """The "Insert image" dialog: a new file with its alt text, or a library image by `id`
    (described here if it was not yet, as an image dropped on the editor is not). Answers
    the Markdown to insert."""
    description = _description(request)
    if "id" in request.POST:
        try:
            image = get_object_or_404(Image, pk=int(request.POST["id"]))
        except ValueError:
            return JsonResponse({"error": "No such image in the library."}, status=400)
        if not image.described:
            if description is None:
                return JsonResponse({"error": NO_ALT}, status=400)
            image.alt_text, image.decorative = description
            image.save(update_fields=["alt_text", "decorative", "updated_at"])
        return JsonResponse({"id": image.pk, "image_code": _markdown(image)})
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [message for messages in form.errors.values() for message in messages]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    if description is None:
        return JsonResponse({"error": NO_ALT}, status=400)
    image = form.save(user=request.user, description=description)
    return JsonResponse({"id": image.pk, "image_code": _markdown(image)})
