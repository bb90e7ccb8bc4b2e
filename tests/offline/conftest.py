"""The paywall's reader fixtures, for the offline tests."""

from tests.paywall.conftest import make_reader, subscribe  # noqa: F401
