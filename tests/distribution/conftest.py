import threading
import warnings
from pathlib import Path

import pytest
import xmlschema

from distribution.models import Platform, PlatformKind
from newsroom.models import Agency, StoryPage
from paywall.access import AccessLevel

from .fakes import PushFake, ZaloFake

with warnings.catch_warnings():
    # pyftpdlib still imports asyncore/asynchat on Python 3.11.
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import ThreadedFTPServer

REPO_ROOT = Path(__file__).resolve().parents[2]


def schemas_dir() -> Path:
    """The official IPTC schemas vendored under tests/schemas (with their licences)."""
    return REPO_ROOT / "tests" / "schemas"


@pytest.fixture(scope="session")
def newsml_schema():
    return xmlschema.XMLSchema(
        str(schemas_dir() / "newsml-g2" / "NewsML-G2_2.35-spec-All-Power.xsd"), allow="local"
    )


@pytest.fixture
def fast(settings):
    """Short timeouts and no waiting between Zalo verify polls."""
    settings.DISTRIBUTION_HTTP_TIMEOUT = 0.5
    settings.DISTRIBUTION_ZALO_VERIFY_INTERVAL = 0.01
    settings.DISTRIBUTION_ZALO_VERIFY_POLLS = 3
    settings.DISTRIBUTION_RETRY_BASE_SECONDS = 30
    # The fake carries out a request at once or never, so a lost create can be looked
    # for straight away (tests of the wait set their own).
    settings.DISTRIBUTION_ZALO_SETTLE_SECONDS = 0
    return settings


@pytest.fixture
def zalo_fake():
    with ZaloFake(seed=1) as fake:
        yield fake


@pytest.fixture
def push_fake():
    with PushFake() as fake:
        yield fake


@pytest.fixture
def agency(demo):
    return Agency.objects.get(slug="baothanhhoa")


def make_zalo_platform(agency, fake, name="Zalo OA (fake)"):
    platform = Platform(
        agency=agency,
        name=name,
        kind=PlatformKind.ZALO_OA,
        endpoint=fake.url,
        token_endpoint=f"{fake.url}/v4/oa/access_token",
    )
    platform.set_credentials(
        {
            "app_id": fake.app_id,
            "secret_key": fake.secret_key,
            "access_token": fake.access_token,
            "refresh_token": fake.refresh_token,
        }
    )
    platform.save()
    return platform


def make_push_platform(agency, fake, name="Push (fake)"):
    platform = Platform(agency=agency, name=name, kind=PlatformKind.HTTP_PUSH, endpoint=fake.url)
    platform.set_credentials({"secret": fake.secret})
    platform.save()
    return platform


@pytest.fixture
def zalo_platform(agency, zalo_fake):
    return make_zalo_platform(agency, zalo_fake)


@pytest.fixture
def push_platform(agency, push_fake):
    return make_push_platform(agency, push_fake)


def agency_stories(agency):
    home = agency.outlets.first().site.root_page
    return StoryPage.objects.live().descendant_of(home).order_by("-first_published_at")


@pytest.fixture
def free_story(agency):
    return agency_stories(agency).filter(access_level=AccessLevel.FREE).first()


@pytest.fixture
def premium_story(agency):
    return agency_stories(agency).exclude(access_level=AccessLevel.FREE).first()


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publishes a story's new revision through Wagtail, running what follows the commit
    (delivery tasks run inline: Celery is eager in tests)."""

    def run(story, **changes):
        story = StoryPage.objects.get(pk=story.pk)
        for name, value in changes.items():
            setattr(story, name, value)
        with django_capture_on_commit_callbacks(execute=True):
            story.save_revision().publish()
        return story

    return run


@pytest.fixture
def unpublish(django_capture_on_commit_callbacks):
    def run(story):
        story = StoryPage.objects.get(pk=story.pk)
        with django_capture_on_commit_callbacks(execute=True):
            story.unpublish()
        return story

    return run


def serve_ftp(base_handler, root, **options):
    """A real FTP server on 127.0.0.1 (pyftpdlib) serving `root` to iptv/ftp-pass, that
    records every command; `options` are set on the handler class (TLS certificate...)."""
    authorizer = DummyAuthorizer()
    authorizer.add_user("iptv", "ftp-pass", str(root), perm="elradfmw")
    commands = []

    class Handler(base_handler):
        def pre_process_command(self, line, cmd, arg):
            commands.append((cmd, arg))
            return super().pre_process_command(line, cmd, arg)

    Handler.authorizer = authorizer
    Handler.auth_failed_timeout = 0.1  # pyftpdlib waits 3 s after a bad login by default
    for name, value in options.items():
        setattr(Handler, name, value)
    # A loop of its own: pyftpdlib's default IOLoop is a process-wide singleton that the
    # previous test's server closed.
    server = ThreadedFTPServer(("127.0.0.1", 0), Handler, ioloop=IOLoop())
    # pyftpdlib keeps its stop flag on the class: a server stopped by an earlier test
    # would make this one drop new sessions at once. One flag per server.
    server._exit = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.root = root
    server.commands = commands
    return server


@pytest.fixture
def ftp_server(tmp_path):
    """A plain FTP server."""
    (tmp_path / "incoming").mkdir()
    server = serve_ftp(FTPHandler, tmp_path)
    yield server
    server.close_all()
