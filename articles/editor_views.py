"""The admin Markdown editor's endpoints, for staff who may write articles.

markdownx's widget posts to these paths for its live preview and its image uploads.
Upstream's views answer any visitor; these need a staff login with permission to add or
change articles (the Editors group has both).
"""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from .citations import preview_html
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


@require_POST
@editor_required
def markdownify(request):
    return HttpResponse(preview_html(request.POST.get("content", "")))


@require_POST
@editor_required
def upload_image(request):
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [message for messages in form.errors.values() for message in messages]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    return JsonResponse({"image_code": f"![]({form.save()})"})
