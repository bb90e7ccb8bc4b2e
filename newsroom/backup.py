"""Encrypted backups of the PostgreSQL database and the media files (`manage.py backup`,
`manage.py restore`; docs/backup.md).

An archive is one file, `hoitu-backup-<UTC time>.hbk`, written as a stream so a
multi-gigabyte dump never sits in memory or on disk in clear:

    header:  b"HOITUBK1" + 16-byte random salt + 4-byte random nonce prefix
    chunks:  4-byte big-endian length + AES-256-GCM ciphertext (with its 16-byte tag)

The AES key is HKDF-SHA256(HOITU_BACKUP_KEY, salt), so it is new for every file; a
chunk's nonce is the prefix plus its 8-byte counter, and its associated data is the
header, the counter and a "last chunk" flag, so a chunk moved, dropped or cut off fails
to decrypt. The clear stream inside is a sequence of sections (`database.dump` from
`pg_dump --format=custom`, `media.tar`, `manifest.json` last), each a 2-byte name
length, the name, and 4-byte-length-prefixed blocks ended by an empty one.
"""

import base64
import binascii
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.files import File

MAGIC = b"HOITUBK1"
HEADER_SIZE = len(MAGIC) + 16 + 4
CHUNK_SIZE = 1024 * 1024
BLOCK_SIZE = 256 * 1024
PREFIX = "hoitu-backup-"
SUFFIX = ".hbk"
KEY_ENV = "HOITU_BACKUP_KEY"


class BackupError(Exception):
    """Anything that stops a backup or a restore; the message is for the operator."""


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def key_from_env() -> bytes:
    value = os.environ.get(KEY_ENV, "").strip()
    if not value:
        raise BackupError(
            f"{KEY_ENV} is not set: refusing to write or read a backup without its "
            "encryption key (make one with `manage.py backup --generate-key`)."
        )
    try:
        key = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise BackupError(
            f"{KEY_ENV} must be 32 random bytes in URL-safe base64 (44 characters, as "
            "`manage.py backup --generate-key` prints)."
        )
    return key


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"hoitu-backup v1")
    return AESGCM(hkdf.derive(key))


class EncryptingWriter:
    """A write-only file object that encrypts into `raw` in CHUNK_SIZE chunks."""

    def __init__(self, raw, key: bytes):
        salt, prefix = os.urandom(16), os.urandom(4)
        self.header = MAGIC + salt + prefix
        self.aead, self.prefix, self.raw = _file_key(key, salt), prefix, raw
        self.buffer, self.counter = bytearray(), 0
        raw.write(self.header)

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK_SIZE:  # keep at least one byte for the last chunk
            self._chunk(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]
        return len(data)

    def _chunk(self, data: bytes, last: bool):
        counter = struct.pack(">Q", self.counter)
        sealed = self.aead.encrypt(
            self.prefix + counter, data, self.header + counter + bytes([last])
        )
        self.raw.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def close(self):
        self._chunk(bytes(self.buffer), last=True)
        self.buffer.clear()


def decrypted_chunks(raw, key: bytes):
    """Yields the clear chunks of an archive; raises BackupError on a wrong key or any
    changed, moved, missing or added byte."""
    header = raw.read(HEADER_SIZE)
    if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
        raise BackupError("Not a Hội Tụ backup archive (bad header).")
    aead = _file_key(key, header[8:24])
    prefix, counter, last = header[24:28], 0, False
    while True:
        size = raw.read(4)
        if not size:
            break
        if last or len(size) != 4:
            raise BackupError("The archive has been altered: data after its last chunk.")
        sealed = raw.read(struct.unpack(">I", size)[0])
        packed = struct.pack(">Q", counter)
        for flag in (False, True):
            try:
                data = aead.decrypt(prefix + packed, sealed, header + packed + bytes([flag]))
            except InvalidTag:
                continue
            last = flag
            break
        else:
            if counter == 0:
                raise BackupError(
                    "Cannot decrypt the archive: wrong HOITU_BACKUP_KEY, or the file "
                    "has been altered."
                )
            raise BackupError(f"The archive has been altered (chunk {counter} fails).")
        counter += 1
        yield data
    if not last:
        raise BackupError("The archive is truncated: its last chunk is missing.")


class ChunkReader:
    """A read-only file object over decrypted chunks."""

    def __init__(self, chunks):
        self.chunks, self.buffer = chunks, bytearray()

    def read(self, size=-1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        if size < 0:
            size = len(self.buffer)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data


class SectionWriter:
    """A file object writing one section's blocks into the clear stream."""

    def __init__(self, out, name: str):
        self.out, self.sha = out, hashlib.sha256()
        encoded = name.encode()
        out.write(struct.pack(">H", len(encoded)) + encoded)

    def write(self, data) -> int:
        if data:
            self.out.write(struct.pack(">I", len(data)) + bytes(data))
            self.sha.update(data)
        return len(data)

    def close(self):
        self.out.write(struct.pack(">I", 0))


def read_sections(reader):
    """Yields (name, blocks iterator) for each section of the clear stream; each blocks
    iterator must be consumed before the next section is read."""
    while True:
        head = reader.read(2)
        if not head:
            return
        name = reader.read(struct.unpack(">H", head)[0]).decode()

        def blocks():
            while True:
                size = struct.unpack(">I", reader.read(4))[0]
                if not size:
                    return
                yield reader.read(size)

        yield name, blocks()


class _HashingFile:
    def __init__(self, raw):
        self.raw, self.sha = raw, hashlib.sha256()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.sha.update(data)
        return data


def sha256_file(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(BLOCK_SIZE):
            sha.update(block)
    return sha.hexdigest()


# --- PostgreSQL ---------------------------------------------------------------------------
def connection_params(database: dict) -> dict:
    """libpq parameters of a Django DATABASES entry (PostgreSQL only)."""
    if "postgresql" not in database["ENGINE"]:
        raise BackupError(
            f"Backups need PostgreSQL (pg_dump/pg_restore); the configured database "
            f"engine is {database['ENGINE']}. Set DATABASE_URL to a PostgreSQL database."
        )
    params = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": str(database["PORT"]) if database.get("PORT") else None,
    }
    params.update({k: v for k, v in (database.get("OPTIONS") or {}).items() if k == "sslmode"})
    return {k: v for k, v in params.items() if v is not None}


def params_from_url(url: str) -> dict:
    import dj_database_url

    return connection_params(dj_database_url.parse(url))


def _pg_env(params: dict) -> tuple[list[str], dict]:
    """Command-line arguments and environment for pg_dump/pg_restore (the password goes
    in the environment, never on the command line)."""
    env = dict(os.environ)
    args = ["--dbname", params["dbname"]]
    for option, name in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(name):
            args += [option, params[name]]
    if params.get("password"):
        env["PGPASSWORD"] = params["password"]
    if params.get("sslmode"):
        env["PGSSLMODE"] = params["sslmode"]
    return args, env


def user_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in user_tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {table}")  # names quoted by quote_ident
        counts[table] = cursor.fetchone()[0]
    return counts


def _connect(params: dict, **kwargs):
    import psycopg

    try:
        return psycopg.connect(**params, **kwargs)
    except psycopg.OperationalError as exc:
        raise BackupError(f"Cannot connect to database {params['dbname']!r}: {exc}") from exc


# --- Backup -------------------------------------------------------------------------------
def archive_name(now: datetime) -> str:
    return f"{PREFIX}{now:%Y-%m-%dT%H-%M-%S.%fZ}{SUFFIX}"


def archives(directory: Path) -> list[Path]:
    """Finished archives in a directory, oldest first (names sort by time)."""
    return sorted(p for p in directory.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())


def rotate(directory: Path, keep: int) -> list[Path]:
    removed = archives(directory)[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def _add_media(out, media) -> dict[str, str]:
    """Writes the media files, from a directory or an object storage (HOITU_MEDIA_STORAGE=s3:
    `newsroom.media.storage.MediaS3Storage`), as the `media.tar` section."""
    checksums = {}
    section = SectionWriter(out, "media.tar")
    with tarfile.open(fileobj=section, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        if isinstance(media, Path):
            if media.is_dir():
                for path in sorted(media.rglob("*")):
                    if not path.is_file() or path.is_symlink():
                        continue
                    name = path.relative_to(media).as_posix()
                    info = tar.gettarinfo(str(path), arcname=name)
                    with open(path, "rb") as f:
                        hashing = _HashingFile(f)
                        tar.addfile(info, hashing)
                    checksums[name] = hashing.sha.hexdigest()
        else:
            for name, size, mtime in media.list_all():
                try:
                    handle = media.open(name, "rb")
                except FileNotFoundError:  # deleted since listed (a reprocessed cut's old files)
                    continue
                with handle:
                    info = tarfile.TarInfo(name)
                    info.size, info.mtime, info.mode = size, int(mtime), 0o644
                    hashing = _HashingFile(handle)
                    tar.addfile(info, hashing)
                checksums[name] = hashing.sha.hexdigest()
    section.close()
    return checksums


def _media_label(media) -> str:
    return f"Media directory {media}" if isinstance(media, Path) else f"Bucket {media.bucket_name}"


def _media_empty(media) -> bool:
    if isinstance(media, Path):
        return not (media.exists() and any(media.iterdir()))
    return next(iter(media.list_all()), None) is None


def _restore_media(blocks, media) -> None:
    """Extracts the `media.tar` section into a directory or an object storage."""
    blocks = iter(blocks)
    with tarfile.open(fileobj=_BlocksFile(blocks), mode="r|") as tar:
        if isinstance(media, Path):
            tar.extractall(media, filter="data")
        else:
            _extract_into_storage(tar, media)
    for _ in blocks:  # tar stops at its end marker: the section's padding is left to read
        pass


def _extract_into_storage(tar, media) -> None:
    for member in tar:
        if not member.isfile():
            continue
        tarfile.data_filter(member, "/restore")  # no absolute name, no `..`
        with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as tmp:
            shutil.copyfileobj(tar.extractfile(member), tmp)
            tmp.seek(0)
            media.delete(member.name)  # --force: the archive's file replaces it
            if media.save(member.name, File(tmp, name=member.name)) != member.name:
                raise BackupError(f"Could not restore {member.name} under its own name.")


def _wrong_media(expected: dict[str, str], media) -> list[str]:
    """The manifest's media files missing from the restored copy or with other bytes."""
    if isinstance(media, Path):
        return sorted(
            name
            for name, sha in expected.items()
            if not (media / name).is_file() or sha256_file(media / name) != sha
        )
    wrong = []
    for name, sha in sorted(expected.items()):
        digest = hashlib.sha256()
        try:
            with media.open(name, "rb") as f:
                while block := f.read(BLOCK_SIZE):
                    digest.update(block)
        except FileNotFoundError:
            wrong.append(name)
            continue
        if digest.hexdigest() != sha:
            wrong.append(name)
    return wrong


def backup(database: dict, media, output_dir: Path, keep: int) -> dict:
    """Writes one encrypted archive of the database and the media (a directory or an
    object storage) into output_dir, removes all but the `keep` newest, and returns
    {"path", "manifest", "removed"}."""
    key = key_from_env()  # before anything is written
    params = connection_params(database)
    output_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    final = output_dir / archive_name(now)
    partial = output_dir / f".{final.name}.partial"
    # One snapshot for the counts, the migration state and pg_dump, so they agree.
    with _connect(params, autocommit=False) as conn, conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = row_counts(cursor)
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = {}
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
        args, env = _pg_env(params)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                out = EncryptingWriter(raw, key)
                section = SectionWriter(out, "database.dump")
                dump = subprocess.Popen(
                    ["pg_dump", "--format=custom", f"--snapshot={snapshot}", *args],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                )
                while block := dump.stdout.read(BLOCK_SIZE):
                    section.write(block)
                stderr = dump.stderr.read().decode(errors="replace")
                if dump.wait() != 0:
                    raise BackupError(f"pg_dump failed: {stderr.strip()}")
                section.close()
                dump_sha = section.sha.hexdigest()
                conn.rollback()  # the snapshot is no longer needed: don't hold it open
                media_sums = _add_media(out, media)
                manifest = {
                    "format": 1,
                    "created_at": now.isoformat(),
                    "app_version": metadata.version("hoitu"),
                    "database": params["dbname"],
                    "server_version": server_version,
                    "migrations": migrations,
                    "row_counts": counts,
                    "database_dump_sha256": dump_sha,
                    "media": media_sums,
                }
                section = SectionWriter(out, "manifest.json")
                section.write(json.dumps(manifest, indent=1, sort_keys=True).encode())
                section.close()
                out.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.rename(partial, final)
            dir_fd = os.open(output_dir, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    removed = rotate(output_dir, keep)
    return {"path": final, "manifest": manifest, "removed": removed}


# --- Restore ------------------------------------------------------------------------------
def _sections(path: Path, key: bytes):
    raw = open(path, "rb")  # noqa: SIM115 - closed by the generator's finally
    try:
        yield from read_sections(ChunkReader(decrypted_chunks(raw, key)))
    finally:
        raw.close()


def verify(path: Path, key: bytes) -> dict:
    """Decrypts the whole archive without writing anything and returns its manifest;
    raises BackupError on a wrong key, any altered byte or a dump that does not match."""
    manifest, seen, dump_sha = None, [], hashlib.sha256()
    media_sha = hashlib.sha256()
    for name, blocks in _sections(path, key):
        seen.append(name)
        digest = {"database.dump": dump_sha, "media.tar": media_sha}.get(name)
        if name == "manifest.json":
            manifest = json.loads(b"".join(blocks))
        else:
            for block in blocks:
                if digest:
                    digest.update(block)
    if seen != ["database.dump", "media.tar", "manifest.json"] or manifest is None:
        raise BackupError(f"The archive is incomplete: it holds {seen}.")
    if dump_sha.hexdigest() != manifest["database_dump_sha256"]:
        raise BackupError("The database dump does not match its checksum in the manifest.")
    return manifest


class _BlocksFile:
    def __init__(self, blocks):
        self.reader = ChunkReader(iter(blocks))

    def read(self, size=-1):
        return self.reader.read(size)


def restore(path: Path, database_url: str, media_dir, force: bool = False) -> dict:
    """Verifies the archive, restores it into an empty database and media directory (or
    object storage), then checks row counts and media checksums against the manifest.
    Returns a summary."""
    key = key_from_env()
    if not path.is_file():
        raise BackupError(f"No such archive: {path}")
    params = params_from_url(database_url)
    manifest = verify(path, key)  # nothing touched before this passes
    with _connect(params, autocommit=True) as conn, conn.cursor() as cursor:
        existing = user_tables(cursor)
    if existing and not force:
        raise BackupError(
            f"Database {params['dbname']!r} is not empty ({len(existing)} tables): "
            "restore into an empty database, or pass --force to replace its contents."
        )
    if not force and not _media_empty(media_dir):
        raise BackupError(
            f"{_media_label(media_dir)} is not empty: restore into an empty one, "
            "or pass --force to write over it."
        )
    if isinstance(media_dir, Path):
        media_dir.mkdir(parents=True, exist_ok=True)
    args, env = _pg_env(params)
    command = ["pg_restore", "--exit-on-error", "--no-owner", "--no-privileges", *args]
    if existing:
        command[1:1] = ["--clean", "--if-exists"]
    for name, blocks in _sections(path, key):
        if name == "database.dump":
            proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, env=env,
            )  # fmt: skip
            try:
                for block in blocks:
                    proc.stdin.write(block)
            except BrokenPipeError:  # pg_restore stopped reading: its error tells why
                for _ in blocks:
                    pass
            proc.stdin.close()
            stderr = proc.stderr.read().decode(errors="replace")
            if proc.wait() != 0:
                raise BackupError(f"pg_restore failed: {stderr.strip()}")
        elif name == "media.tar":
            _restore_media(blocks, media_dir)
        else:
            for _ in blocks:
                pass
    with _connect(params, autocommit=True) as conn, conn.cursor() as cursor:
        counts = row_counts(cursor)
    expected = manifest["row_counts"]
    wrong_tables = sorted(
        t for t in set(expected) | set(counts) if expected.get(t) != counts.get(t)
    )
    wrong_media = _wrong_media(manifest["media"], media_dir)
    if wrong_tables or wrong_media:
        raise BackupError(
            "The restored copy differs from the manifest: "
            f"tables {wrong_tables[:10]}, media files {wrong_media[:10]}."
        )
    return {
        "manifest": manifest,
        "tables": len(counts),
        "rows": sum(counts.values()),
        "media_files": len(manifest["media"]),
    }
