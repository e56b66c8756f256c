"""
The API docs page in headless Chromium under a strict Content Security
Policy (no inline scripts or styles, nothing from other origins): it renders
every operation, breaks no rule of the policy and requests nothing from
outside this site.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import make_article
from tests.test_browser import allow_orm_under_playwright, browser  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_docs_page_works_offline_under_a_strict_csp(browser, live_server, topic):  # noqa: F811
    make_article(topic=topic, title="文档页测试文章")
    context = browser.new_context()
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    def with_csp(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        route.fulfill(response=response, headers=headers)

    page.route(f"{live_server.url}/api/v1/docs", with_csp)
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/api/v1/docs")
    # Swagger UI has read the OpenAPI document and drawn each operation.
    expect(page.locator(".opblock")).to_have_count(4)
    expect(page.get_by_text("Published articles, newest first")).to_be_visible()
    # Try the list operation from the page: the browser calls the API itself.
    page.locator(".opblock-summary", has_text="/api/v1/articles").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table")).to_contain_text("文档页测试文章")
    assert page.evaluate("window.__cspViolations") == []
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == [], outside
    context.close()
