from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def topic_name(topic) -> str:
    """A topic's name in the reader's language (topics carry English and Chinese)."""
    if topic is None:
        return ""
    name, name_zh = (
        (topic.get("name"), topic.get("name_zh"))
        if isinstance(topic, dict)
        else (topic.name, topic.name_zh)
    )
    return name_zh if (get_language() or "").startswith("zh") else name


@register.filter
def percent(value) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
