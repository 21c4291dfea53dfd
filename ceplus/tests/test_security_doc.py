"""docs/security.md names, for each promise, the test files that hold it. A test file renamed,
moved or deleted would leave the page claiming a proof that is gone: every path it names must
exist, so whoever moves a test updates the page in the same change."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
TEST_PATH = re.compile(r"[a-z_]+/tests/test_[a-z0-9_]+\.py")


def test_the_page_names_test_files():
    assert TEST_PATH.search(DOC.read_text(encoding="utf-8"))


def test_every_test_file_the_page_names_exists():
    named = sorted(set(TEST_PATH.findall(DOC.read_text(encoding="utf-8"))))
    missing = [path for path in named if not (ROOT / path).is_file()]
    assert missing == [], f"docs/security.md names test files that do not exist: {missing}"
