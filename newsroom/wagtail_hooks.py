from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet

from .views.snippets import (
    AgencyViewSet,
    AssignmentViewSet,
    CommissionViewSet,
    OutletViewSet,
    PlaceViewSet,
)

register_snippet(AgencyViewSet)
register_snippet(OutletViewSet)
register_snippet(PlaceViewSet)
register_snippet(CommissionViewSet)
register_snippet(AssignmentViewSet)


@hooks.register("register_log_actions")
def register_newsroom_log_actions(actions):
    @actions.register_action("newsroom.takedown")
    class TakedownFormatter(LogFormatter):
        label = "Gỡ bài"

        def format_message(self, log_entry):
            return "Gỡ bài. Lý do: " + log_entry.data.get("reason", "")

    @actions.register_action("newsroom.agency_merge")
    class MergeFormatter(LogFormatter):
        label = "Sáp nhập cơ quan"

        def format_message(self, log_entry):
            return f"Sáp nhập vào cơ quan #{log_entry.data.get('into')}"


from . import wagtail_hooks_broadcast  # noqa: E402, F401  (broadcasting and media pipeline)
