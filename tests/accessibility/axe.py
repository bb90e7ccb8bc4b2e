"""axe-core in a Playwright page. The script is the one axe-playwright-python ships
(axe.min.js, MPL-2.0, read from the installed package: nothing is fetched at run time);
it is evaluated through the DevTools protocol, which the reader site's CSP does not
restrict, and axe itself needs no eval."""

from axe_playwright_python.base import AXE_SCRIPT

# What fails a page: WCAG 2.0/2.1/2.2 A and AA rules and axe's best practices, at these
# impacts. Moderate and minor findings are reported, not failed.
FAILING_IMPACTS = {"serious", "critical"}
OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def axe_run(page):
    """The page's violations as axe reports them (a list of dicts)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("options => axe.run(document, options)", OPTIONS)
    return results["violations"]


def describe(where, violations):
    """One line per violation and node, for a failure message a person can act on."""
    lines = []
    for v in violations:
        for node in v["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"{where}: {v['impact']} {v['id']} — {target} — {node['html'][:160]}")
        if len(v["nodes"]) > 5:
            lines.append(f"{where}: {v['id']} … {len(v['nodes']) - 5} more")
    return lines


def failing(violations):
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]
