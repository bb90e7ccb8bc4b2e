from django import template

register = template.Library()


@register.inclusion_tag("newsletters/includes/account_box.html", takes_context=True)
def newsletter_account_box(context):
    """ "Bản tin email" on the reader's account page: the lists of this outlet."""
    from ..views import account_context

    request = context.get("request")
    box = account_context(request) if request is not None else None
    return {"box": box, "request": request, "csrf_token": context.get("csrf_token")}
