"""Panels of the newsroom's page editor."""

from wagtail.admin.panels import Panel


class SectionPanel(Panel):
    """Read-only: the section (chuyên mục) a story is filed under, i.e. its parent page.
    A story changes section by being moved, not by a field."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsroom/admin/panels/section_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            parent = page.get_parent() if page is not None and page.pk else None
            if parent is None and self.form is not None:
                parent = getattr(self.form, "parent_page", None)
            context["section"] = parent.specific_deferred if parent is not None else None
            return context
