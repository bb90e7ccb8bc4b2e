"""Moving through a page with the keyboard alone, and checking where the focus is and
that it can be seen."""

# The focused element, what it says and whether its focus can be seen: a ring of at least
# 2 px (site.css :focus-visible) on an element inside the viewport. A player whose own
# button has the focus (inside the browser's controls) draws the browser's ring itself.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  const media = e.matches('video, audio');
  return {
    tag: e.tagName.toLowerCase(),
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 80),
    href: e.getAttribute('href'),
    ring: (e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
      || (media && !e.matches(':focus-visible')),
    in_view: r.width > 0 && r.bottom > 0 && r.right > 0 && r.left < innerWidth && r.top < innerHeight,
    whole_width: r.left >= 0 && r.right <= innerWidth,
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def focus_matches(page, selector):
    return page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page, selector, *, back=False, limit=120):
    """Presses Tab (Shift+Tab with back=True) until the focus is on `selector`; every
    element met on the way must show its focus. Returns the stops."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        assert now is not None, f"the focus left the page before reaching {selector}: {stops}"
        assert now["ring"] and now["in_view"], f"focus not visible on {now} (reaching {selector})"
        stops.append(now)
        if focus_matches(page, selector):
            return stops
    raise AssertionError(f"{selector} never reached with the keyboard: {stops[-10:]}")
