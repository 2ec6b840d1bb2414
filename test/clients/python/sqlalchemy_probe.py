"""Real Python PostgreSQL clients against Runlake's pgwire server; prints one JSON report.

Run under a virtualenv with SQLAlchemy (1.4 or 2.x), psycopg2 and, optionally, psycopg (3):

    RUNLAKE_PG_DSN='host=127.0.0.1 port=5433 dbname=acme user=AKID password=SECRET sslmode=require' \\
        python sqlalchemy_probe.py [--dsn CONNINFO] [--other-database globex] \\
        [--stream-table form_fields --stream-key field_id]

The DSN is a libpq conninfo string or URL (argv wins over the environment; libpq's own PG*
variables fill in whatever it leaves out). What it exercises, each as a section of the report:

- connect: what SQLAlchemy's dialect initialization learned (server version, default schema).
- inspector: get_schema_names / get_table_names / get_view_names / get_columns of every relation,
  next to what pg_catalog itself lists, and MetaData.reflect of tables and views.
- text_params: engine.connect() + text() with bound parameters of several types, and a Core
  select built on a reflected Table.
- stream_generated / stream_table: stream_results (psycopg2 named cursor: DECLARE … FETCH)
  in fixed-size partitions; generated rows are checked value by value here, a real table is
  reported as a count and a digest of its keys so the caller can compare with another client.
- named_cursor: psycopg2 named cursor directly; a plain cursor on the same connection FETCHes
  from it in the middle, which only works if the cursor lives on the server.
- errors: a wrong password and another organization's database, as the DBAPI exceptions.
- psycopg3: connect, parameterized (server-side bound) queries, binary results, a server-side
  cursor — skipped, with the reason, when psycopg 3 is not installed.

Every section records either its results or {"error": "<type>: <message>"}; `problems` lists
value mismatches the probe found itself. The process exits 0 whenever it printed a report.
"""
from __future__ import annotations

import argparse
import datetime as dt
import decimal
import hashlib
import json
import os
import sys
import traceback
from typing import Any, Callable

import psycopg2
import sqlalchemy as sa
from psycopg2.extensions import make_dsn, parse_dsn

SA_MAJOR = int(sa.__version__.split(".")[0])
GENERATED_ROWS = 5000
PARTITION = 500

# Rows whose every value is known here; `i` drives them all (integer, double, numeric, boolean,
# text, timestamp, date, text[] with a NULL element, NULL).
GENERATED_SQL = (
    "SELECT CAST(i AS INTEGER) AS i, i * 0.25::float8 AS d, CAST(i AS NUMERIC(12,2)) + 0.25 AS n, "
    "i % 3 = 0 AS b, 'row ' || i AS s, timestamp '2024-01-01 00:00:00' + i * interval '1 minute' AS ts, "
    "date '2024-01-01' + CAST(i AS INTEGER) AS day, ARRAY['a' || i, NULL] AS arr, CAST(NULL AS TEXT) AS nothing "
    "FROM generate_series(1, {n}) AS g(i) ORDER BY i"
)


def expected_generated(i: int) -> tuple[Any, ...]:
    return (
        i,
        i * 0.25,
        decimal.Decimal(i) + decimal.Decimal("0.25"),
        i % 3 == 0,
        f"row {i}",
        dt.datetime(2024, 1, 1) + dt.timedelta(minutes=i),
        dt.date(2024, 1, 1) + dt.timedelta(days=i),
        [f"a{i}", None],
        None,
    )


class Probe:
    def __init__(self, dsn: str, other_database: str | None, stream_table: str, stream_key: str) -> None:
        self.dsn = dsn
        self.other_database = other_database
        self.table = stream_table
        self.key = stream_key
        self.problems: list[str] = []
        self.report: dict[str, Any] = {
            "versions": {
                "python": sys.version.split()[0],
                "sqlalchemy": sa.__version__,
                "psycopg2": psycopg2.__version__.split()[0],
            },
            "problems": self.problems,
        }
        self.engine = sa.create_engine(sqlalchemy_url(dsn))

    def section(self, name: str, fn: Callable[[], Any]) -> None:
        try:
            self.report[name] = fn()
        except Exception as e:  # noqa: BLE001 — the report carries every failure
            self.report[name] = {"error": f"{type(e).__name__}: {e}".strip(), "trace": traceback.format_exc(limit=4)}

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.problems.append(what)

    # ------------------------------------------------------------------ sections

    def connect(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            d = self.engine.dialect
            return {
                "server_version_info": list(d.server_version_info or ()),
                "default_schema_name": d.default_schema_name,
                "isolation_level": conn.get_isolation_level(),
                "select_1": conn.execute(sa.text("SELECT 1")).scalar(),
            }

    def inspector(self) -> dict[str, Any]:
        insp = sa.inspect(self.engine)
        tables = insp.get_table_names()
        views = insp.get_view_names()
        columns: dict[str, list[dict[str, Any]]] = {}
        for name in tables + views:
            columns[name] = [describe_column(c) for c in insp.get_columns(name)]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT c.relname, c.relkind FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema ORDER BY c.relname"
            ), {"schema": "public"}).all()
        catalog = {"tables": [r[0] for r in rows if r[1] in ("r", "p")], "views": [r[0] for r in rows if r[1] in ("v", "m")]}
        md = sa.MetaData()
        md.reflect(bind=self.engine, views=True)
        return {
            "schemas": insp.get_schema_names(),
            "default_schema_name": insp.default_schema_name,
            "tables": tables,
            "views": views,
            "columns": columns,
            "pg_catalog": catalog,
            "table_comment": insp.get_table_comment("processes").get("text"),
            "has_table": {"processes": insp.has_table("processes"), "no_such_table": insp.has_table("no_such_table")},
            "explicit_schema_columns": [c["name"] for c in insp.get_columns("steps", schema="public")],
            "primary_keys": {t: insp.get_pk_constraint(t).get("constrained_columns") for t in tables},
            "indexes": {t: insp.get_indexes(t) for t in tables},
            "foreign_keys": {t: insp.get_foreign_keys(t) for t in tables},
            "reflected": sorted(md.tables),
            "reflected_columns": {t.name: [c.name for c in t.columns] for t in md.tables.values()},
        }

    def text_params(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            one = conn.execute(
                sa.text("SELECT :i AS i, :s AS s, :b AS b, :f AS f, :t AS t, :nothing AS nothing"),
                {"i": 42, "s": "it's \\ \"quoted\"", "b": True, "f": 1.5, "t": dt.datetime(2024, 5, 6, 7, 8, 9), "nothing": None},
            ).one()
            ids = [r[0] for r in conn.execute(sa.text("SELECT process_id FROM processes ORDER BY process_id LIMIT 3")).all()]
            by_id = conn.execute(
                sa.text("SELECT process_id, process_name FROM processes WHERE process_id = :id"), {"id": ids[0]}
            ).all()
            in_list = conn.execute(
                sa.text("SELECT process_id FROM processes WHERE process_id IN :ids ORDER BY process_id").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": ids[1:]},
            ).scalars().all()
            since = conn.execute(
                sa.text("SELECT count(*) FROM processes WHERE started_at >= :since AND process_status <> :status"),
                {"since": dt.datetime(2000, 1, 1), "status": "no-such-status"},
            ).scalar()
            total = conn.execute(sa.text("SELECT count(*) FROM processes")).scalar()
            processes = sa.Table("processes", sa.MetaData(), autoload_with=conn)
            core = conn.execute(
                sa.select(processes.c.process_id, processes.c.started_at)
                .where(processes.c.process_id.in_(ids))
                .order_by(processes.c.process_id)
                .limit(2)
            ).all()
            months = conn.execute(
                sa.select(sa.func.date_trunc("month", processes.c.started_at).label("month"), sa.func.count().label("n"))
                .where(processes.c.started_at.isnot(None))
                .group_by(sa.func.date_trunc("month", processes.c.started_at))
                .order_by(sa.text("month"))
            ).all()
        self.check(sum(r.n for r in months) == since, f"per-month counts {months!r} do not add up to {since}")
        self.check(one[0] == 42 and one[2] is True and one[3] == 1.5 and one[5] is None, f"text() literals came back as {one!r}")
        self.check(one[1] == "it's \\ \"quoted\"", f"a quoted string came back as {one[1]!r}")
        self.check(str(one[4]).startswith("2024-05-06 07:08:09"), f"a datetime parameter came back as {one[4]!r}")
        self.check(in_list == ids[1:], f"an expanding IN list returned {in_list!r}, wanted {ids[1:]!r}")
        self.check([r[0] for r in core] == ids[:2], f"a Core select on a reflected Table returned {core!r}")
        return {
            "literals": [jsonable(v) for v in one],
            "ids": ids,
            "by_id": [[jsonable(v) for v in r] for r in by_id],
            "in_list": in_list,
            "since_count": since,
            "total": total,
            "core_select": [[jsonable(v) for v in r] for r in core],
            "months": [[jsonable(v) for v in r] for r in months],
        }

    def stream_generated(self) -> dict[str, Any]:
        sizes: list[int] = []
        cursor_name = None
        mismatches = 0
        i = 0
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=PARTITION).execute(
                sa.text(GENERATED_SQL.format(n=GENERATED_ROWS))
            )
            cursor_name = getattr(result.cursor, "name", None) if hasattr(result, "cursor") else None
            for part in result.partitions(PARTITION):
                sizes.append(len(part))
                for row in part:
                    i += 1
                    if tuple(row) != expected_generated(i):
                        mismatches += 1
                        if mismatches <= 3:
                            self.problems.append(f"streamed row {i} is {tuple(row)!r}, wanted {expected_generated(i)!r}")
        self.check(i == GENERATED_ROWS, f"streamed {i} generated rows, wanted {GENERATED_ROWS}")
        return {"rows": i, "partitions": sizes, "mismatches": mismatches, "server_side_cursor": cursor_name}

    def stream_table(self) -> dict[str, Any]:
        sizes: list[int] = []
        digest = hashlib.sha256()
        n = 0
        types: dict[str, str] = {}
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=PARTITION).execute(
                sa.text(f'SELECT * FROM "{self.table}" ORDER BY "{self.key}"')
            )
            cursor_name = getattr(result.cursor, "name", None)
            keys = list(result.keys())
            for part in result.partitions(PARTITION):
                sizes.append(len(part))
                for row in part:
                    n += 1
                    m = row._mapping
                    digest.update(f"{m[self.key]}\n".encode())
                    for k in keys:
                        if m[k] is not None and k not in types:
                            types[k] = type(m[k]).__name__
            count = conn.execute(sa.text(f'SELECT count(*) FROM "{self.table}"')).scalar()
        self.check(n == count, f"streamed {n} rows of {self.table}, count(*) says {count}")
        return {"table": self.table, "rows": n, "count": count, "partitions": sizes, "key_sha256": digest.hexdigest(),
                "python_types": types, "server_side_cursor": cursor_name}

    def named_cursor(self) -> dict[str, Any]:
        conn = psycopg2.connect(self.dsn)
        try:
            cur = conn.cursor(name="runlake_probe_cursor")
            cur.itersize = 700
            cur.execute(GENERATED_SQL.format(n=3000))
            first = cur.fetchmany(1000)
            plain = conn.cursor()
            plain.execute('FETCH FORWARD 5 FROM "runlake_probe_cursor"')
            stolen = plain.fetchall()
            rest = list(cur)
            cur.close()
            conn.rollback()
        finally:
            conn.close()
        got = [r[0] for r in first], [r[0] for r in stolen], [r[0] for r in rest]
        want = list(range(1, 1001)), list(range(1001, 1006)), list(range(1006, 3001))
        self.check(got == want, "a psycopg2 named cursor did not continue after another cursor's FETCH "
                   f"(got {len(got[0])}/{got[1]}/{len(got[2])} rows)")
        self.check(all(tuple(r) == expected_generated(r[0]) for r in first + stolen + rest), "named cursor values differ")
        return {"first": len(first), "fetched_by_plain_cursor": got[1], "rest": len(rest)}

    def errors(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        out["wrong_password"] = connect_error(make_dsn(self.dsn, password="not-the-secret"))
        if self.other_database:
            out["other_database"] = connect_error(make_dsn(self.dsn, dbname=self.other_database))
        return out

    def psycopg3(self) -> dict[str, Any]:
        try:
            import psycopg
        except ImportError as e:
            return {"skipped": f"psycopg (3) is not installed: {e}"}
        self.report["versions"]["psycopg"] = psycopg.__version__
        out: dict[str, Any] = {}
        with psycopg.connect(self.dsn) as conn:
            out["server_version"] = conn.info.server_version
            ids = [r[0] for r in conn.execute("SELECT process_id FROM processes ORDER BY process_id LIMIT 6").fetchall()]
            # Six executions of one statement: psycopg prepares it (named statement) from the sixth on.
            names = [conn.execute("SELECT process_name FROM processes WHERE process_id = %s", (pid,)).fetchone() for pid in ids]
            out["by_id"] = [n[0] if n else None for n in names]
            typed = conn.execute(
                "SELECT %s::int + 1 AS i, %s::text AS s, %s::timestamp AS t, %s::boolean AS b",
                (41, "it's", dt.datetime(2024, 5, 6, 7, 8, 9), False),
            ).fetchone()
            out["typed_params"] = [jsonable(v) for v in typed]
            self.check(typed == (42, "it's", dt.datetime(2024, 5, 6, 7, 8, 9), False), f"psycopg typed parameters came back as {typed!r}")
            with conn.cursor(binary=True) as cur:
                cur.execute(GENERATED_SQL.format(n=50))
                rows = cur.fetchall()
            self.check([tuple(r) for r in rows] == [expected_generated(i) for i in range(1, 51)], "psycopg binary results differ")
            out["binary_rows"] = len(rows)
            with conn.transaction():
                with conn.cursor(name="runlake_probe_p3") as cur:
                    cur.itersize = 400
                    cur.execute(GENERATED_SQL.format(n=2000))
                    first = cur.fetchmany(900)
                    rest = cur.fetchall()
            seen = [r[0] for r in first + rest]
            self.check(seen == list(range(1, 2001)), f"psycopg server-side cursor returned {len(seen)} rows out of order or short")
            self.check(all(tuple(r) == expected_generated(r[0]) for r in first + rest), "psycopg server-side cursor values differ")
            out["server_side_cursor_rows"] = len(seen)
        if SA_MAJOR >= 2:
            out["sqlalchemy"] = self.sqlalchemy_psycopg3()
        try:
            psycopg.connect(make_dsn(self.dsn, password="not-the-secret")).close()
            out["wrong_password"] = {"connected": True}
        except Exception as e:  # noqa: BLE001
            out["wrong_password"] = {"type": f"{type(e).__module__}.{type(e).__name__}", "sqlstate": getattr(e, "sqlstate", None), "message": str(e)}
        return out

    def sqlalchemy_psycopg3(self) -> dict[str, Any]:
        """SQLAlchemy 2's psycopg (3) dialect: reflection and stream_results (psycopg ServerCursor)."""
        engine = sa.create_engine(sqlalchemy_url(self.dsn, "postgresql+psycopg"))
        try:
            insp = sa.inspect(engine)
            tables, views = insp.get_table_names(), insp.get_view_names()
            columns = {name: [describe_column(c) for c in insp.get_columns(name)] for name in tables + views}
            sizes: list[int] = []
            with engine.connect() as conn:
                result = conn.execution_options(stream_results=True).execute(sa.text(GENERATED_SQL.format(n=GENERATED_ROWS)))
                cursor = type(result.cursor).__name__
                rows = 0
                for part in result.partitions(PARTITION):
                    sizes.append(len(part))
                    for row in part:
                        rows += 1
                        if tuple(row) != expected_generated(rows):
                            self.problems.append(f"psycopg stream row {rows} is {tuple(row)!r}")
                            break
        finally:
            engine.dispose()
        return {"tables": tables, "views": views, "columns": columns, "stream_rows": rows, "partitions": sizes, "cursor": cursor}

    def run(self) -> dict[str, Any]:
        self.section("connect", self.connect)
        self.section("inspector", self.inspector)
        self.section("text_params", self.text_params)
        self.section("stream_generated", self.stream_generated)
        self.section("stream_table", self.stream_table)
        self.section("named_cursor", self.named_cursor)
        self.section("errors", self.errors)
        self.section("psycopg3", self.psycopg3)
        self.engine.dispose()
        return self.report


def sqlalchemy_url(dsn: str, driver: str = "postgresql+psycopg2") -> sa.engine.URL:
    """The URL a user would write for this DSN: postgresql+psycopg2://user:password@host:port/db?sslmode=…"""
    parts = parse_dsn(dsn)
    user, password, host = parts.pop("user", None), parts.pop("password", None), parts.pop("host", None)
    port, database = parts.pop("port", None), parts.pop("dbname", None)
    return sa.engine.URL.create(
        driver, username=user, password=password, host=host,
        port=int(port) if port else None, database=database, query=parts,
    )


def describe_column(c: dict[str, Any]) -> dict[str, Any]:
    t = c["type"]
    out: dict[str, Any] = {
        "name": c["name"], "type": type(t).__name__, "repr": repr(t), "nullable": c["nullable"], "has_comment": bool(c.get("comment")),
    }
    if isinstance(t, sa.ARRAY):
        out["item_type"] = type(t.item_type).__name__
    if isinstance(t, (sa.TIMESTAMP, sa.DateTime)):
        out["timezone"] = bool(getattr(t, "timezone", False))
    if isinstance(t, sa.Numeric):
        out["precision"] = t.precision
        out["scale"] = t.scale
    if isinstance(t, sa.String):
        out["length"] = t.length
    return out


def connect_error(dsn: str) -> dict[str, Any]:
    try:
        psycopg2.connect(dsn).close()
        return {"connected": True}
    except Exception as e:  # noqa: BLE001
        return {"type": f"{type(e).__module__}.{type(e).__name__}", "pgcode": getattr(e, "pgcode", None), "message": str(e)}


def jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return str(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dsn", default=os.environ.get("RUNLAKE_PG_DSN", ""), help="libpq conninfo or URL (env RUNLAKE_PG_DSN)")
    ap.add_argument("--other-database", default=os.environ.get("RUNLAKE_PG_OTHER_DATABASE"), help="a database this key may not open")
    ap.add_argument("--stream-table", default="form_fields")
    ap.add_argument("--stream-key", default="field_id", help="a column that orders the table's rows (with ties broken by the server)")
    args = ap.parse_args()
    dsn = make_dsn(args.dsn) if args.dsn else ""
    parse_dsn(dsn)  # a malformed DSN is a usage error, not a report
    print(json.dumps(Probe(dsn, args.other_database, args.stream_table, args.stream_key).run(), indent=1, default=str))


if __name__ == "__main__":
    main()
