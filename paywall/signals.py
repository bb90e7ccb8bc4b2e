def merge_meter_on_login(sender, request, user, **kwargs):
    """The anonymous reader's counted stories follow them into their account."""
    if request is None:
        return
    from .services import meter_merge

    meter_merge(request=request, user=user)
