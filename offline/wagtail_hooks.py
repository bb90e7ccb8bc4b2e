from wagtail import hooks

from .middleware import remember_page


@hooks.register("before_serve_page")
def offline_remember_page(page, request, serve_args, serve_kwargs):
    remember_page(page, request)
