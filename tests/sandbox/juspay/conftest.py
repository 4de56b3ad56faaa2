"""The sandbox's Juspay under test: its base URL on the live sandbox (reset before each test)."""

import pytest


@pytest.fixture
def jp(sandbox):
    return f"{sandbox.url}/juspay"
