from tests.newsroom.conftest import login, section, staff  # noqa: F401  (fixtures)
