"""Fixtures for every test, wherever it lives."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _no_language_leaks_between_tests():
    """A request activates its reader's language in the thread and leaves it there; the next
    test must start in the default language, whatever order the tests run in."""
    yield
    translation.deactivate()
