"""axe-core's WCAG 2.1 A and AA rules, run inside a page (axe-core comes from npm, web/package.json)."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
_RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


AXE_URL = "/__test__/axe.min.js"


async def axe_violations(page) -> list[dict]:
    # From a URL of the page's own site, answered by the test: the Content-Security-Policy
    # refuses the inline script add_script_tag(path=…) would make.
    await page.route(
        f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript")
    )
    await page.add_script_tag(url=AXE_URL)
    return await page.evaluate(_RUN_AXE)


async def assert_accessible(page) -> None:
    violations = await axe_violations(page)
    assert violations == [], violations
