"""`manage.py backup` and `restore`: the restore drill on PostgreSQL, and what is refused."""

import hashlib
import os

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from newsroom import backup

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="pg_dump and pg_restore need PostgreSQL",
)

MEDIA = {
    "original_images/bao-lu.jpg": os.urandom(300_000),
    # Bigger than an encrypted chunk, so it spans several.
    "media/video/lu-song-ma.mp4": os.urandom(2_600_000),
    "hls/Thời sự/tập 1.m3u8": "#EXTM3U\n#EXT-X-VERSION:3\n# tập 1\n".encode(),
    "documents/empty.txt": b"",
}


def server_params(dbname):
    params = backup.connection_params(settings.DATABASES["default"])
    return params | {"dbname": dbname}


def database_url(params):
    auth = params.get("user", "")
    if params.get("password"):
        auth += f":{params['password']}"
    host = params.get("host", "")
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgres://{auth}@{host}{port}/{params['dbname']}"


@pytest.fixture
def empty_database():
    """A new database on the test server, `hoitu_restore_drill_<pid>`, dropped after."""
    import psycopg

    name = f"hoitu_restore_drill_{os.getpid()}"
    admin = server_params("postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_params(name)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    for name, data in MEDIA.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def key(monkeypatch):
    value = backup.generate_key()
    monkeypatch.setenv("HOITU_BACKUP_KEY", value)
    return value


def snapshot(params):
    """Row counts per table and the page tree's titles, read on their own connection."""
    import psycopg

    with psycopg.connect(**params) as conn, conn.cursor() as cursor:
        counts = backup.row_counts(cursor)
        cursor.execute("SELECT path, title, live FROM wagtailcore_page ORDER BY path")
        return counts, cursor.fetchall()


def tables(params):
    import psycopg

    with psycopg.connect(**params) as conn, conn.cursor() as cursor:
        return backup.user_tables(cursor)


def make_backup(tmp_path, **kwargs):
    out = tmp_path / "backups"
    call_command("backup", output_dir=str(out), verbosity=0, **kwargs)
    return backup.archives(out)[-1]


def test_restore_drill(demo, media_root, key, tmp_path, empty_database, capsys):
    source = server_params(connection.settings_dict["NAME"])
    source_counts, source_pages = snapshot(source)
    assert source_counts["public.newsroom_storypage"] > 10  # the demo newsroom is there
    archive = make_backup(tmp_path)
    assert archive.read_bytes()[:8] == b"HOITUBK1"
    assert b"Thanh H" not in archive.read_bytes()  # nothing in clear
    call_command("restore", str(archive), verify_only=True)
    assert "Archive intact" in capsys.readouterr().out

    target_media = tmp_path / "restored-media"
    call_command(
        "restore", str(archive), database_url=database_url(empty_database),
        media_dir=str(target_media),
    )  # fmt: skip
    assert "all equal to the manifest" in capsys.readouterr().out

    counts, pages = snapshot(empty_database)
    assert counts == source_counts
    assert pages == source_pages
    restored = {
        p.relative_to(target_media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in target_media.rglob("*")
        if p.is_file()
    }
    assert restored == {n: hashlib.sha256(d).hexdigest() for n, d in MEDIA.items()}

    manifest = backup.verify(archive, backup.key_from_env())
    assert manifest["row_counts"] == source_counts
    assert "0001_initial" in manifest["migrations"]["newsroom"]
    assert manifest["app_version"] == "0.1.0"

    # The database and media directory are not empty now: refused, then --force replaces.
    with pytest.raises(CommandError, match="is not empty"):
        call_command(
            "restore", str(archive), database_url=database_url(empty_database),
            media_dir=str(tmp_path / "other-media"),
        )  # fmt: skip
    assert not (tmp_path / "other-media").exists()
    call_command(
        "restore", str(archive), database_url=database_url(empty_database),
        media_dir=str(target_media), force=True,
    )  # fmt: skip
    assert snapshot(empty_database) == (source_counts, source_pages)


def assert_refused_untouched(archive, database, tmp_path, match):
    """restore fails with `match` and leaves the database and media directory untouched."""
    target_media = tmp_path / "restored-media"
    with pytest.raises(CommandError, match=match):
        call_command(
            "restore", str(archive), database_url=database_url(database),
            media_dir=str(target_media),
        )  # fmt: skip
    assert tables(database) == []
    assert not target_media.exists()


def test_wrong_key_refused_and_nothing_touched(
    demo, media_root, key, tmp_path, empty_database, monkeypatch
):
    archive = make_backup(tmp_path)
    monkeypatch.setenv("HOITU_BACKUP_KEY", backup.generate_key())
    assert_refused_untouched(archive, empty_database, tmp_path, "wrong HOITU_BACKUP_KEY")


@pytest.mark.parametrize("damage", ["flip", "truncate", "drop-chunk"])
def test_tampered_archive_refused_and_nothing_touched(
    demo, media_root, key, tmp_path, empty_database, damage
):
    archive = make_backup(tmp_path)
    data = bytearray(archive.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        del data[-1000:]
    else:  # cut the last whole chunk off: every remaining chunk still decrypts
        offset, last = backup.HEADER_SIZE, None
        while offset < len(data):
            last = offset
            offset += 4 + int.from_bytes(data[offset : offset + 4], "big")
        del data[last:]
    archive.write_bytes(bytes(data))
    assert_refused_untouched(archive, empty_database, tmp_path, "altered|truncated")


def test_rotation_keeps_the_newest(demo, media_root, key, tmp_path):
    out = tmp_path / "backups"
    out.mkdir()
    (out / "notes.txt").write_text("not a backup")
    made = []
    for _ in range(3):
        call_command("backup", output_dir=str(out), keep=2, verbosity=0)
        made += set(backup.archives(out)) - set(made)
    assert backup.archives(out) == made[1:]
    assert (out / "notes.txt").exists()
    assert not list(out.glob(".*partial"))


def test_no_key_refused_and_nothing_written(demo, media_root, tmp_path, monkeypatch):
    monkeypatch.delenv("HOITU_BACKUP_KEY", raising=False)
    out = tmp_path / "backups"
    with pytest.raises(CommandError, match="HOITU_BACKUP_KEY is not set"):
        call_command("backup", output_dir=str(out))
    assert not out.exists()
    monkeypatch.setenv("HOITU_BACKUP_KEY", "too-short")
    with pytest.raises(CommandError, match="32 random bytes"):
        call_command("backup", output_dir=str(out))
    assert not out.exists()


def test_failed_dump_leaves_no_archive(demo, media_root, key, tmp_path, monkeypatch):
    """pg_dump dying halfway (here a stand-in on PATH that writes a little and fails):
    the error is shown and neither a finished-looking archive nor the partial file stays."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text("#!/bin/sh\nprintf PGDMP-partial\necho 'connection lost' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    out = tmp_path / "backups"
    with pytest.raises(CommandError, match="pg_dump failed: connection lost"):
        call_command("backup", output_dir=str(out))
    assert list(out.iterdir()) == []


def test_sqlite_refused():
    with pytest.raises(backup.BackupError, match="need PostgreSQL"):
        backup.connection_params({"ENGINE": "django.db.backends.sqlite3", "NAME": "db"})
