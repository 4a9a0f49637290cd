"""{% card_picture version %}: an article's lead image on a card, or nothing."""

from django import template

from articles import rendering, renditions

register = template.Library()


@register.simple_tag
def card_picture(version, featured=False, eager=False):
    figure = version.card_image
    if not figure:
        return ""
    sizes = renditions.FEATURED_SIZES if featured else renditions.CARD_SIZES
    return rendering.card_picture_html(figure, sizes, eager=eager)
