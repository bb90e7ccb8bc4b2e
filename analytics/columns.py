"""Admin listing columns that write numbers the Vietnamese way (1.234; 300.000 đ).
Wagtail leaves numbers in listings unformatted ("2844000000") and asks for a Column
subclass to format them; years and ids stay plain (use the default column for those)."""

from wagtail.admin.ui.tables import Column

from .templatetags.vn_numbers import format_number, format_vnd


class VnNumberColumn(Column):
    """A model field's number with dots between thousands, or in đồng with `money=True`;
    labelled and sortable like the default column of that field."""

    def __init__(self, name, *, model, money=False, **kwargs):
        field = model._meta.get_field(name)
        label = str(field.verbose_name)
        if money:  # the cell says "đ" already
            label = label.replace(" (đồng)", "")
        kwargs.setdefault("label", label[:1].upper() + label[1:])
        kwargs.setdefault("sort_key", name)
        kwargs.setdefault("classname", "hoitu-number")
        super().__init__(name, **kwargs)
        self.money = money

    def get_value(self, instance):
        value = super().get_value(instance)
        return format_vnd(value) if self.money else format_number(value)
