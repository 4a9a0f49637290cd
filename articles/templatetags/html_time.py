"""`|html_time`: a datetime as HTML's <time datetime> and Open Graph accept it.

Django's `date:"c"` adds microseconds, which the HTML standard does not allow beyond three
digits (the W3C checker refuses them). Seconds are as precise as a reader needs.
"""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_time(value):
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
