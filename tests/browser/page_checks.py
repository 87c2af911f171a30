"""The checks every distinct page gets: axe-core, reflow at 320 px, document basics."""

from __future__ import annotations

from dataclasses import dataclass, field

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}  # also what 1280 px at 400 % zoom shows (WCAG 1.4.10)
TITLE_SUFFIX = " – Pledge Portal"
FOCUS_YELLOW = "rgb(255, 221, 0)"
# Focus each element as the keyboard would (focusVisible) and look for the yellow focus state.
_UNSTYLED_FOCUS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])';
  const missing = [], previous = document.activeElement;
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || !el.getClientRects().length) continue;
    el.focus({focusVisible: true});
    if (document.activeElement !== el) continue;
    const s = getComputedStyle(el);
    const styles = [s.outlineStyle === 'none' ? '' : s.outlineColor, s.backgroundColor,
                    s.borderTopColor, s.boxShadow].join(' ');
    if (!styles.includes('""" + FOCUS_YELLOW + """')) missing.push(el.outerHTML.slice(0, 100));
    el.blur();
  }
  // Leave focus, and where the next Tab starts, as the person left them.
  if (previous && previous !== document.body) {
    previous.focus();
  } else {
    const marker = document.createElement('span');
    marker.tabIndex = -1;
    document.body.prepend(marker);
    marker.focus();
    marker.remove();
  }
  return missing.slice(0, 5);
}"""


@dataclass
class Auditor:
    """Runs the page-level checks once per distinct page and keeps what the report needs."""

    pages: dict[str, str] = field(default_factory=dict)  # name -> URL
    html: dict[str, str] = field(default_factory=dict)  # name -> the HTML the server sent
    rules_run: set[str] = field(default_factory=set)
    rules_applicable: set[str] = field(default_factory=set)
    html_validated: int = 0  # pages the Nu Html Checker passed

    def __call__(self, page, name: str) -> None:
        """Check the page now in the browser; `name` says which distinct page/state it is."""
        from playwright.sync_api import expect

        expect(page.locator("h1")).to_have_count(1)
        if name in self.pages:
            return
        page.wait_for_load_state()  # colours and layout need the stylesheet, not just the DOM
        self._check_document(page, name)
        self._check_axe(page, name)
        self._check_reflow(page, name)
        self._check_focus_styles(page, name)
        self.pages[name] = page.url
        self.html[name] = self._source(page)

    def _check_document(self, page, name: str) -> None:
        lang = page.locator("html").get_attribute("lang")
        assert lang, f"{name}: <html> has no lang"
        title = page.title()
        assert title.endswith(TITLE_SUFFIX), f"{name}: title {title!r}"
        has_errors = page.get_by_role("alert").filter(has_text="There is a problem").count() > 0
        assert title.startswith("Error: ") == has_errors, \
            f"{name}: title {title!r} but error summary shown: {has_errors}"
        skip_link = page.get_by_role("link", name="Skip to main content")
        assert skip_link.count() == 1 and skip_link.get_attribute("href") == "#main-content", \
            f"{name}: no skip link to the main content"
        assert page.locator("main#main-content").count() == 1, f"{name}: no main#main-content"

    def _check_axe(self, page, name: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page, options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        }).response
        for group in ("violations", "passes", "incomplete", "inapplicable"):
            self.rules_run.update(rule["id"] for rule in results[group])
        for group in ("violations", "passes", "incomplete"):
            self.rules_applicable.update(rule["id"] for rule in results[group])
        problems = [
            f"  {rule['id']} ({rule['impact']}): {rule['help']}\n" + "\n".join(
                f"    {node['target']}: {node.get('failureSummary', '')}"
                for node in rule["nodes"][:5])
            for rule in results["violations"]
        ]
        assert not problems, f"axe found problems on {name} ({page.url}):\n" + "\n".join(problems)

    def _check_reflow(self, page, name: str) -> None:
        page.set_viewport_size(NARROW)
        try:
            width = page.evaluate("document.documentElement.scrollWidth")
            culprits = [] if width <= NARROW["width"] else page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > 320)
                    .slice(0, 5).map(el => el.outerHTML.slice(0, 120))""")
        finally:
            page.set_viewport_size(DESKTOP)
        assert width <= NARROW["width"], \
            f"{name} scrolls sideways at 320 px (scrollWidth {width}):\n{culprits}"

    def _check_focus_styles(self, page, name: str) -> None:
        """Every focusable element shows the yellow focus state when reached by keyboard."""
        unstyled = page.evaluate(_UNSTYLED_FOCUS)
        assert not unstyled, f"{name}: no visible focus style on {unstyled}"

    @staticmethod
    def _source(page) -> str:
        """The HTML the server sent (not the browser's re-serialised DOM)."""
        if page.documents:
            response = page.documents[-1]
            if response.url.split("#")[0] == page.url.split("#")[0]:
                return response.text()
        return page.content()
