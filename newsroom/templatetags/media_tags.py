from django import template
from django.conf import settings

from ..media.sharing import media_collections_for, share_targets

register = template.Library()


@register.simple_tag
def media_chooser_collections(user):
    """Collections the media chooser filters by: the user's own; none when only one."""
    collections = media_collections_for(user)
    return collections if collections.count() > 1 else None


@register.simple_tag
def media_share_targets(asset):
    return share_targets(asset)


@register.simple_tag
def media_max_upload_size():
    return settings.HOITU_MEDIA_MAX_UPLOAD_SIZE


@register.simple_tag(takes_context=True)
def media_search_form(context):
    """The media list's search box, with a Vietnamese placeholder."""
    from wagtail.admin.forms.search import SearchForm

    request = context["request"]
    data = request.GET if request.GET.get("q", "").strip() else None
    return SearchForm(data, placeholder="Tìm âm thanh / video theo tiêu đề")


@register.inclusion_tag("newsroom/includes/media_player.html", takes_context=True)
def media_player(context, media, story=None, entitled=False):
    """A cut's player. A cut of a paid story gets signed addresses, and only for a reader
    the story's gate lets in (`entitled`) or staff; anyone else gets no address at all."""
    from ..media.access import player_files

    request = context.get("request")
    files = player_files(media, request=request, story=story, entitled=entitled)
    return {"media": media, "files": files, "request": request}


@register.simple_tag(takes_context=True)
def media_file_url(context, media, name):
    """Address of one stored file of a cut for the admin: public for a free cut, a staff
    link signed for the editor when a paid story uses the cut."""
    from ..media.access import player_files

    files = player_files(media, request=context.get("request"))
    return files.url(name) if files else ""
