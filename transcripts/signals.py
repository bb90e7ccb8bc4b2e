"""Follows the media pipeline: a cut that becomes ready is transcribed."""


def cut_ready(sender, asset_id, **kwargs):
    from .services import cut_ready as request

    request(asset_id=asset_id)
