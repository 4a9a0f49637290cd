"""The admin Markdown editor's endpoints, for staff only.

markdownx's widget posts to these paths for its live preview and its image uploads.
Upstream's views answer any visitor; these require a staff login.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from .markdown import render_markdown
from .uploads import ImageUploadForm


@require_POST
@staff_member_required
def markdownify(request):
    return HttpResponse(render_markdown(request.POST.get("content", "")))


@require_POST
@staff_member_required
def upload_image(request):
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [message for messages in form.errors.values() for message in messages]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    return JsonResponse({"image_code": f"![]({form.save()})"})
