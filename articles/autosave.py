"""Nothing lost: an editor's unsaved change form, kept while they type, and the whole page
it would make.

The change form's script (static/js/autosave.js) sends the form's fields a moment after
typing stops and every few seconds while it goes on; they are kept in the editor's own slot
for that article (models.Autosave). Nothing else happens: no revision, no version, no
rendering of the draft, no cache change; the draft others see and the live page are as
they were. A save of the form empties the slot. The live preview renders the slot through
the article page's own template and pipeline (`page_from_form`).
"""

from django import forms
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from . import rendering, typed_drafts
from .models import ArticleUpdate, Autosave, Citation, Image, LiveVersion, Person, Supplement

# Never kept: the CSRF token is the session's, not the editor's text.
NOT_KEPT = {"csrfmiddlewaretoken"}
# The article limits allow MAX_ARTICLE_CHARS of Markdown; the form adds headings, hidden
# fields and relation ids around it.
MAX_CHARS = rendering.MAX_ARTICLE_CHARS + 100_000
# More update-note rows than any article has: a forged count cannot make the preview loop.
MAX_ROWS = 2_000


class TooLarge(Exception):
    pass


def store(user, article, post):
    """Keep the form's fields (a QueryDict) in `user`'s slot for `article`."""
    data = {name: post.getlist(name) for name in post if name not in NOT_KEPT}
    if sum(len(value) for values in data.values() for value in values) > MAX_CHARS:
        raise TooLarge(
            f"This form holds more than {MAX_CHARS:,} characters: it cannot be kept or saved. "
            "Split the article."
        )
    slot, _ = Autosave.objects.update_or_create(
        user=user, article=article, defaults={"data": data, "saved_at": timezone.now()}
    )
    return slot


def found(user, article):
    return Autosave.objects.filter(user=user, article=article).first()


def discard(user, article):
    Autosave.objects.filter(user=user, article=article).delete()


def _ids(values):
    return [int(value) for value in values if value.isascii() and value.isdigit()]


def page_from_form(article, data):
    """The live version `article` would become with the form's fields `data` ({name:
    [values]}), built in memory through the same pipeline as publishing (the sections as
    the live content checks read them: articles.typed_drafts); nothing is saved. Raises
    TooLarge past the article limits (the page could not be saved either)."""
    fields = MultiValueDict(data)

    def one(name, default=""):
        return str(fields.get(name, default))

    try:
        typed = typed_drafts.typed_draft(article, fields)
    except typed_drafts.TooLong as error:
        raise TooLarge(
            "This article is longer than the limits allow, so it cannot be previewed or "
            f"saved: one field may hold {rendering.MAX_FIELD_CHARS:,} characters, the "
            f"article {rendering.MAX_ARTICLE_CHARS:,}."
        ) from error
    draft = typed.article
    draft.search_text = typed.search_text  # the typed words: the reading time follows them
    draft.slug = one("slug", article.slug) or article.slug
    lead = _ids([one("lead_image")])
    draft.lead_image = Image.objects.filter(pk=lead[0]).first() if lead else None
    return LiveVersion.from_draft(
        draft,
        sections=typed.sections,
        citations=[
            Citation(number=number, reference=typed.references[key])
            for number, key in enumerate(typed.document.citations, start=1)
        ],
        updates=_update_notes(one),
        supplements=list(Supplement.objects.filter(pk__in=_ids(fields.getlist("supplements")))),
        related_ids=sorted(set(_ids(fields.getlist("related"))) - {article.pk}),
        authors=list(Person.objects.filter(pk__in=_ids(fields.getlist("authors")))),
    )


def _update_notes(one):
    notes = []
    count = one("updates-TOTAL_FORMS", "0")
    for index in range(min(int(count) if count.isascii() and count.isdigit() else 0, MAX_ROWS)):
        field = f"updates-{index}-{{}}".format
        if one(field("DELETE")) in ("on", "true", "1"):
            continue
        try:
            day = forms.DateField().clean(one(field("date")))
        except forms.ValidationError:
            continue  # not a date yet: the form will say so when it is saved
        notes.append(ArticleUpdate(date=day, note=one(field("note"))))
    return sorted(notes, key=lambda note: note.date, reverse=True)
