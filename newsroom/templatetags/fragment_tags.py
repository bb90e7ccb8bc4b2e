"""`{% reader_fragment "name" var1 var2 %}…{% end_reader_fragment %}`: a part of a reader
page that is the same for every reader, kept in the cache under the name, the variables
and the current generation (newsroom/fragments.py), so a publish retires it at once.
A preview (Wagtail's draft preview) is never read from nor written to the cache.

`{% process_constant "name" %}…{% end_process_constant %}`: a part that depends on
nothing but the settings, the URLs and the static files (the stylesheet and script links,
the app manifest): rendered once per process (a deploy restarts them), again after a
settings change (tests)."""

from django import template
from django.core.cache.utils import make_template_fragment_key
from django.core.signals import setting_changed

from .. import fragments

register = template.Library()


class ReaderFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        vary_on = [fragments.generation(), *(var.resolve(context) for var in self.vary_on)]
        key = make_template_fragment_key(f"hoitu:{self.name}", vary_on)
        value = fragments.read(key)
        if value is None:
            value = self.nodelist.render(context)
            fragments.store(key, value)
        return value


@register.tag("reader_fragment")
def reader_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError(
            '"reader_fragment" takes a quoted name, then the variables the fragment depends on.'
        )
    nodelist = parser.parse(("end_reader_fragment",))
    parser.delete_first_token()
    return ReaderFragmentNode(
        nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]]
    )


_constants: dict[str, str] = {}


def _forget_constants(**kwargs) -> None:
    _constants.clear()


setting_changed.connect(_forget_constants, dispatch_uid="fragment-tags-constants")


class ProcessConstantNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        value = _constants.get(self.name)
        if value is None:
            value = _constants[self.name] = self.nodelist.render(context)
        return value


@register.tag("process_constant")
def process_constant(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError('"process_constant" takes a quoted name only.')
    nodelist = parser.parse(("end_process_constant",))
    parser.delete_first_token()
    return ProcessConstantNode(nodelist, bits[1][1:-1])
