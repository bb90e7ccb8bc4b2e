import pytest
from django.core.cache import cache

READER_PASSWORD = "mat-khau-rat-dai-2026"
STAFF = [
    f"{role}.{agency}"
    for agency in ("baothanhhoa", "ptth", "vannghe")
    for role in ("phongvien", "bientap", "thuky", "tongbientap")
]


@pytest.fixture(autouse=True)
def clean_lockout_alerts():
    """Alert de-duplication lives in the cache, which outlives each test's transaction."""
    if hasattr(cache, "delete_pattern"):  # django-redis
        cache.delete_pattern("staffsecurity:*")
    else:
        cache.clear()
    yield


@pytest.fixture
def staff_names(demo):
    return STAFF


@pytest.fixture
def reader(db):
    from django.utils import timezone

    from paywall.services import reader_create, reader_verify_email

    def make(email=None):
        user = reader_create(
            email=email or f"docgia-{timezone.now().timestamp()}@example.vn",
            password=READER_PASSWORD,
        )
        reader_verify_email(user=user)
        return user

    return make
