"""The editors' admin: articles with their sections inline, and supplements."""

from django.contrib import admin, messages
from django.contrib.admin import widgets
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from .models import Article, Section, Supplement

# The admin maps TextField (MarkdownxField's parent) to a plain textarea; put the editor back.
MARKDOWN_WIDGETS = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["position", "heading", "anchor", "body"]
    prepopulated_fields = {"anchor": ["heading"]}
    formfield_overrides = MARKDOWN_WIDGETS


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    inlines = [SectionInline]
    formfield_overrides = MARKDOWN_WIDGETS
    list_display = ["title", "status", "supplement_names", "published_at", "updated_at"]
    list_filter = ["status", "supplements"]
    search_fields = ["title", "subtitle", "summary"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["supplements", "related"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "summary", "intro"]}),
        ("Conclusion", {"fields": ["conclusion"]}),
        ("Topics and related articles", {"fields": ["supplements", "related"]}),
        ("Publishing", {"fields": ["status", "published_at", "author"]}),
    ]

    class Media:
        # Editors in new inline rows, and upload errors shown (see the script).
        js = ["js/markdownx-admin.js"]
        css = {"all": ["css/admin-markdown.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            # Up to 300 characters: easier to read and edit in a box than on one line.
            kwargs["widget"] = widgets.AdminTextareaWidget(attrs={"rows": 3})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("supplements")

    @admin.display(description="Supplements")
    def supplement_names(self, article):
        return ", ".join(supplement.name for supplement in article.supplements.all())

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.save()
            count += 1
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article.save()
            count += 1
        self.message_user(request, f"Moved {count} article(s) back to draft.", messages.SUCCESS)


@admin.register(Supplement)
class SupplementAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
