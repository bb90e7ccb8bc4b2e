from wagtail.snippets.models import register_snippet

from .views import AIServicesGroup

register_snippet(AIServicesGroup)
