"""JSON documents in SQL, with an adjustable clock: SQLite (a file, or in memory for one process) or
PostgreSQL, through SQLAlchemy Core.

The merchant app keeps its sessions, cards and spent codes here, the relay its spent tickets, and the
sandbox PSP builds its state on it too. Every operation runs in a short transaction of its own, or inside
`transaction()`, which groups a read-modify-write: it joins an enclosing one, locks what it reads with
`get(..., lock=True)` (a row lock on PostgreSQL; SQLite takes the database's write lock when it begins),
and commits or rolls back as a whole. Connections come from the engine's pool; reads take no lock of ours
(SQLite runs in WAL mode: readers go on beside the one writer). On SQLite a reading transaction
(`write=False`) is no SQL transaction: each statement reads its own snapshot, which is all a single read
needs, without a BEGIN and a COMMIT around it; reads that must agree belong in a writing transaction.

Writing, SQLite has one writer at a time across every process on the file. Waiting for it inside SQLite
means sleeping in its busy handler (1, 2, 5 ... 100 ms steps) while the lock may be free long before; so a
writing transaction first queues on a lock of ours, a thread lock within the process and an flock on a file
beside the database between processes, and the kernel wakes the next writer the moment one commits. Only
an in-memory SQLite database, one connection, is serialized for reads as well.

Durability: a transaction commits durably (SQLite `synchronous=FULL`: the WAL is fsync'd before COMMIT
returns; PostgreSQL's own `synchronous_commit`) unless it is opened with `durable=False`, for what a power
cut may lose without harm: leases that the cut ends anyway, records a retry makes again. Such a commit is
made durable by the next durable one (the same WAL, fsync'd as a whole).
"""

from __future__ import annotations

import contextvars
import fcntl
import json
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    bindparam,
    create_engine,
    delete,
    event,
    inspect,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

SCHEMA_VERSION = 2
metadata = MetaData()
objects = Table(
    "objects", metadata,
    Column("kind", Text, primary_key=True), Column("id", Text, primary_key=True),
    Column("owner", Text), Column("lookup", Text), Column("created", Float, nullable=False),
    Column("version", Integer, nullable=False, server_default="0"),  # bumped by every write: compare-and-set
    Column("body", Text, nullable=False),
    Index("objects_owner", "kind", "owner"), Index("objects_lookup", "kind", "lookup"),
)
schema = Table("panless_schema", metadata, Column("id", Integer, primary_key=True),
               Column("version", Integer, nullable=False))
# The sandbox's ciphertexts: declared here so that every table has one definition; only SandboxStore creates it.
vault_table = Table("vault", MetaData(), Column("id", Text, primary_key=True), Column("key_id", Text, nullable=False),
                    Column("blob", LargeBinary, nullable=False), Column("created", Float, nullable=False))


class StoreError(ValueError):
    """A database URL that cannot work: the message names the setting and what to do."""


class Clock:
    """Wall time plus an offset that tests move forward (token and idempotency expiry)."""

    def __init__(self):
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


MEMORY = {":memory:", "sqlite://", "sqlite:///:memory:", "sqlite+pysqlite:///:memory:"}


def database_url(value: str) -> str:
    """A SQLAlchemy URL from what a setting may hold: a SQLite file path, `:memory:`, sqlite:/// or
    postgresql:// (psycopg 3 is the driver)."""
    value = str(value).strip()
    if value in MEMORY:
        return "sqlite://"
    if "://" not in value:
        return "sqlite:///" + str(Path(value).expanduser().resolve())
    for scheme in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if value.startswith(scheme):
            return "postgresql+psycopg://" + value[len(scheme):]
    return value


def is_memory(value: str) -> bool:
    return database_url(value) == "sqlite://"


def _close(engine: Engine, files: list[int]) -> None:
    engine.dispose()
    while files:
        try:
            os.close(files.pop())
        except OSError:  # closed already, or inherited by a forked process and gone with it
            pass


class Store:
    """Documents (kind, id) -> JSON body, with an owner and a lookup key indexed for `find`."""

    TABLES: tuple[Table, ...] = ()  # extra tables a subclass keeps beside the documents

    def __init__(self, url: str = ":memory:", clock: Clock | None = None, pool_size: int = 10):
        self.url = database_url(url)
        self.clock = clock or Clock()
        self.engine = self._engine(self.url, pool_size)
        self._files: list[int] = []  # the writer-lock file descriptors this store opened
        # A store dropped unclosed still closes its connections and files.
        self._closer = weakref.finalize(self, _close, self.engine, self._files)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.insert = postgresql.insert if self.postgres else sqlite.insert
        # One in-memory SQLite connection, shared: the only case where our own lock orders the threads.
        self._serial = threading.RLock() if self.url == "sqlite://" else None
        # SQLite file: writers queue here (a thread lock, then an flock shared with the other processes).
        self._writers = threading.Lock() if self.engine.dialect.name == "sqlite" and not self._serial else None
        self._writer_file: tuple[int, int] | None = None  # (pid, fd): an flock is per open file, reopened per process
        # The transaction this context is in: its connection, and whether it writes.
        self._current: contextvars.ContextVar[tuple[Connection, bool] | None] = contextvars.ContextVar(
            f"panless_store_{id(self)}", default=None)
        self._prepare()
        self.migrate()

    # -- engine and schema ---------------------------------------------------------------------------

    @staticmethod
    def _engine(url: str, pool_size: int) -> Engine:
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            raise StoreError(f"{url!r} is not a database URL (sqlite:///path or postgresql://...)") from None
        if parsed.get_backend_name() == "postgresql":
            try:
                return create_engine(parsed, pool_size=pool_size, max_overflow=pool_size, pool_timeout=10,
                                     pool_pre_ping=True, connect_args={"connect_timeout": 5})
            except (ModuleNotFoundError, NoSuchModuleError):
                raise StoreError("PostgreSQL needs psycopg 3: pip install 'panless[postgres]'") from None
        if parsed.get_backend_name() != "sqlite":
            raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")
        if url == "sqlite://":
            engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            path = Path(parsed.database)
            try:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                # Readable by its owner only (SQLite gives its WAL and shared-memory files the same mode).
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            except OSError as exc:
                raise StoreError(f"cannot create the SQLite file {path}: {exc.strerror}") from None
            engine = create_engine(parsed, pool_size=pool_size, max_overflow=pool_size, pool_timeout=30,
                                   connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, _record):
            # The store issues BEGIN itself (`_sqlite_transaction`); pysqlite's implicit transactions are off.
            dbapi_connection.isolation_level = None
            if url != "sqlite://":
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
                dbapi_connection.execute("PRAGMA busy_timeout=30000")  # for writers that are not Panless
                dbapi_connection.execute("PRAGMA synchronous=FULL")
            _record.info["durable"] = True

        return engine

    def migrate(self) -> None:
        """Create the schema, or bring an older one up to SCHEMA_VERSION; safe with several processes."""
        with self.transaction() as conn:
            if self.postgres:  # one migrating process at a time; the others wait and find it done
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7361827)")
            tables = set(inspect(conn).get_table_names())
            version = conn.execute(select(schema.c.version)).scalar() if "panless_schema" in tables else None
            if version is None:
                version = 1 if "objects" in tables else 0  # a database from before versioning
                metadata.create_all(conn, tables=[schema])
                conn.execute(self.insert(schema).values(id=1, version=version))
            if version < 1:
                metadata.create_all(conn)
                version = SCHEMA_VERSION
            if version < 2:
                conn.exec_driver_sql("ALTER TABLE objects ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
            if version > SCHEMA_VERSION:
                raise StoreError(f"the database schema is version {version}, newer than this Panless "
                                 f"({SCHEMA_VERSION}): upgrade Panless")
            conn.execute(update(schema).values(version=SCHEMA_VERSION))
            for table in self.TABLES:
                table.create(conn, checkfirst=True)

    def ping(self) -> None:
        """One round trip to the database (the health check)."""
        with self.transaction(write=False) as conn:
            conn.exec_driver_sql("SELECT 1")

    def close(self) -> None:
        self._closer()

    # -- transactions --------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, write: bool = True, durable: bool = True) -> Iterator[Connection]:
        """One transaction for everything inside; a nested call joins the enclosing one. `durable=False`:
        its commit may be lost to a power cut until the next durable commit (module docstring)."""
        current = self._current.get()
        if current is not None:
            if write and not current[1]:
                raise RuntimeError("a write inside a reading transaction: open the outer one with write=True")
            yield current[0]
            return
        queue = self._writer_lock() if write and self._writers else nullcontext()
        with self._serial or nullcontext(), queue, self.engine.connect() as conn:
            token = self._current.set((conn, write))
            try:
                if self.postgres:
                    with conn.begin():
                        if write and not durable:
                            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                        yield conn
                else:
                    with self._sqlite_transaction(conn.connection, write, durable):
                        yield conn
            finally:
                self._current.reset(token)

    @contextmanager
    def _sqlite_transaction(self, pooled, write: bool, durable: bool) -> Iterator[None]:
        """BEGIN, COMMIT and ROLLBACK straight to the driver: SQLAlchemy's transaction objects and events
        cost more CPU than SQLite takes to run them. A statement SQLAlchemy runs inside (migrations) joins
        this transaction: its own begin is bookkeeping only on pysqlite, and its rollback at close finds
        nothing left to undo. A reading transaction issues no BEGIN: each statement reads a snapshot of its
        own (module docstring)."""
        driver = pooled.driver_connection
        if not write:
            yield
            return
        if pooled.info.get("durable") != durable and self.url != "sqlite://":
            # Set between transactions (SQLite ignores it inside one): FULL fsyncs the WAL at COMMIT. Only
            # a writing transaction commits anything: a read leaves the setting as it found it.
            driver.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            pooled.info["durable"] = durable
        # The write lock at once: two read-modify-writes cannot interleave, and none fails with "database
        # is locked" halfway (it waits at BEGIN instead).
        driver.execute("BEGIN IMMEDIATE")
        try:
            yield
            driver.execute("COMMIT")
        except BaseException:
            if driver.in_transaction:
                driver.execute("ROLLBACK")
            raise

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """The SQLite file's writers in line: threads on a lock, processes on an flock (module docstring)."""
        with self._writers:
            if self._writer_file is None or self._writer_file[0] != os.getpid():
                path = make_url(self.url).database + ".writer-lock"
                self._writer_file = (os.getpid(), os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
                self._files.append(self._writer_file[1])
            fd = self._writer_file[1]
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def execute(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        """Driver-level SQL (maintenance and tests); the rows it returns, if any."""
        with self.transaction() as conn:
            result = conn.exec_driver_sql(sql, params)
            return [tuple(row) for row in result] if result.returns_rows else []

    def reset(self, keep_kinds: tuple[str, ...] = ()) -> None:
        """Forget everything but the kinds named (issued credentials outlive a reset, as SDKs cache them)."""
        with self.transaction() as conn:
            conn.execute(delete(objects).where(objects.c.kind.not_in(keep_kinds)))
            for table in self.TABLES:
                conn.execute(delete(table))
            self.clock.offset = 0.0

    # -- documents ---------------------------------------------------------------------------------

    def _prepare(self) -> None:
        """The documents' statements, built once with bound parameters: SQLAlchemy then keys and compiles
        each once; building them per call cost more CPU than running them."""
        key = (objects.c.kind == bindparam("kind"), objects.c.id == bindparam("id"))
        insert = self.insert(objects)
        bumped = objects.c.version + literal_column("1")  # a literal, not a parameter of its own
        row = ["kind", "id", "owner", "lookup", "created", "body"]  # what _row() gives an insert
        prepared = self._prepared
        self._put = prepared(insert.on_conflict_do_update(
            index_elements=[objects.c.kind, objects.c.id],
            set_={"owner": insert.excluded.owner, "lookup": insert.excluded.lookup, "body": insert.excluded.body,
                  "version": bumped}), row)
        self._insert_new = prepared(insert.on_conflict_do_nothing().returning(objects.c.id), row)
        self._replace = prepared(update(objects).where(objects.c.kind == bindparam("doc_kind"),
                                                       objects.c.id == bindparam("doc_id"),
                                                       objects.c.version == bindparam("old_version"))
                                 .values(body=bindparam("new_body"), owner=bindparam("new_owner"),
                                         lookup=bindparam("new_lookup"), version=bumped)
                                 .returning(objects.c.version))
        get = select(objects.c.body, objects.c.version).where(*key)
        self._get = prepared(get)
        self._get_locked = prepared(get.with_for_update()) if self.postgres else self._get
        self._created = prepared(select(objects.c.created).where(*key))
        self._find = {column: prepared(select(objects.c.body).where(objects.c.kind == bindparam("kind"),
                                                                    getattr(objects.c, column) == bindparam("value"))
                                       .order_by(objects.c.created, objects.c.id)) for column in ("owner", "lookup")}
        self._delete = prepared(delete(objects).where(*key).returning(objects.c.id))

    def _prepared(self, statement, columns: list[str] | None = None) -> tuple:
        """On SQLite, the statement compiled once to the driver's SQL, with the order of its parameters, for
        `_rows`. PostgreSQL runs the statement as built."""
        if self.postgres:
            return statement, None
        compiled = statement.compile(dialect=self.engine.dialect, column_keys=columns)
        return str(compiled), tuple(compiled.positiontup)

    @staticmethod
    def _rows(conn: Connection, prepared: tuple, params: dict) -> list:
        """The rows a prepared statement returns, all fetched (a RETURNING statement is then complete). On
        SQLite it goes straight to the driver, on the transaction's connection: SQLAlchemy's execution path
        (cache keys, events, result objects) cost several times what SQLite takes to run these statements."""
        statement, order = prepared
        if order is None:
            result = conn.execute(statement, params)
            return result.all() if result.returns_rows else []
        return conn.connection.driver_connection.execute(statement, tuple(params[name] for name in order)).fetchall()

    def _row(self, kind: str, id: str, body: dict, owner: str | None, lookup: str | None) -> dict:
        return {"kind": kind, "id": id, "owner": owner, "lookup": lookup, "created": self.clock.now(),
                "body": json.dumps(body)}

    def put(self, kind: str, id: str, body: dict, owner: str | None = None, lookup: str | None = None) -> dict:
        with self.transaction() as conn:
            self._rows(conn, self._put, self._row(kind, id, body, owner, lookup))
        return body

    def insert_new(self, kind: str, id: str, body: dict, owner: str | None = None,
                   lookup: str | None = None) -> bool:
        """Insert only if absent; False when the id is taken (reserves idempotency keys, spends codes)."""
        with self.transaction() as conn:
            return bool(self._rows(conn, self._insert_new, self._row(kind, id, body, owner, lookup)))

    def replace(self, kind: str, id: str, body: dict, version: int, owner: str | None = None,
                lookup: str | None = None) -> bool:
        """Compare-and-set: write only if the document is still at `version` (from `get_versioned`)."""
        with self.transaction() as conn:
            return bool(self._rows(conn, self._replace, {"doc_kind": kind, "doc_id": id, "old_version": version,
                                                         "new_body": json.dumps(body), "new_owner": owner,
                                                         "new_lookup": lookup}))

    def get(self, kind: str, id: str, lock: bool = False) -> dict | None:
        found = self.get_versioned(kind, id, lock)
        return found[0] if found else None

    def get_versioned(self, kind: str, id: str, lock: bool = False) -> tuple[dict, int] | None:
        """The document and its version; `lock` holds its row until the enclosing transaction ends."""
        with self.transaction(write=lock) as conn:
            rows = self._rows(conn, self._get_locked if lock else self._get, {"kind": kind, "id": id})
        return (json.loads(rows[0][0]), rows[0][1]) if rows else None

    def created(self, kind: str, id: str) -> float | None:
        with self.transaction(write=False) as conn:
            rows = self._rows(conn, self._created, {"kind": kind, "id": id})
        return rows[0][0] if rows else None

    def find(self, kind: str, *, owner: str | None = None, lookup: str | None = None) -> list[dict]:
        column, value = ("owner", owner) if owner is not None else ("lookup", lookup)
        with self.transaction(write=False) as conn:
            rows = self._rows(conn, self._find[column], {"kind": kind, "value": value})
        return [json.loads(row[0]) for row in rows]

    def expire(self, kind: str, before: float) -> None:
        """Forget the documents of a kind created before a time (spent tickets past their use)."""
        with self.transaction() as conn:
            conn.execute(delete(objects).where(objects.c.kind == kind, objects.c.created < before))

    def delete(self, kind: str, id: str) -> bool:
        with self.transaction() as conn:
            return bool(self._rows(conn, self._delete, {"kind": kind, "id": id}))
