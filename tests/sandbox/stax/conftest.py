"""The sandbox's Stax under test: its base URL on the live sandbox (reset before each test)."""

import pytest


@pytest.fixture
def stax(sandbox):
    return f"{sandbox.url}/stax"
