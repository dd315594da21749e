"""Browser tests drive Debian's Chromium through Playwright (no downloaded browser)."""

from pathlib import Path

import pytest

from tests.conftest import CHROMIUM
from tests.salespoints.conftest import shop  # noqa: F401  (fixture shared with the sales-point tests)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }


@pytest.fixture
def page(page):
    """Playwright's page, failing the test if the browser refused anything under the Content-Security-Policy
    (Chromium reports each refusal on the console)."""
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text) if "Content Security Policy" in message.text else None)
    yield page
    assert not refusals, "Content-Security-Policy refusals:\n" + "\n".join(refusals)


@pytest.fixture
def shot():
    """shot(page, "name") saves a screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def sign_in(server, users):
    """sign_in(page, role, next_path) logs in through the login form and waits for the page."""
    from tests.conftest import PASSWORDS

    def go(page, role: str, next_path: str) -> None:
        page.goto(f"{server}/login?next={next_path}")
        page.fill("#f-username", users[role])
        page.fill("#f-password", PASSWORDS[role])
        page.click("button[type=submit].button")
        page.wait_for_url(f"**{next_path}")

    return go
