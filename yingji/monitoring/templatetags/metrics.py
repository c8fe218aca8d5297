"""`{{ series.metric|metric_words }}`: a metric in words with its unit."""

from django import template

from yingji.monitoring.metric_words import metric_words as words

register = template.Library()


@register.filter
def metric_words(metric: str) -> str:
    return words(metric)
