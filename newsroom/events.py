"""Signals the newsroom sends, for the apps that follow it (it never imports them)."""

from django.dispatch import Signal

# Sent by `agency_setup_roles` with `agency=` and `groups=` ({role: Group}) once an
# agency's role groups exist: followers grant their own permissions to those groups.
agency_roles_ready = Signal()

# Sent by the media pipeline with `asset_id=` once a cut's renditions are in place (state
# "ready"), after the transaction committed: followers (transcripts) start their own work.
media_ready = Signal()
