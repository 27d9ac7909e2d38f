from tests.browser.conftest import browser, page  # noqa: F401 (browser fixtures, for test_browser.py)
from tests.conftest import login, world  # noqa: F401
