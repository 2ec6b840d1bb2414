"""Drive Runlake's Athena-compatible API with the real PyAthena (boto3) client and print a JSON report.

Run by test/athena/pyathena.test.ts inside .ci/cache/venv-athena (.ci/athena.sh); usable by hand:

    AWS_ENDPOINT_URL_S3=https://127.0.0.1:8443 python pyathena_probe.py --endpoint https://127.0.0.1:8443 \
        --ca .runlake/tls/cert.pem --access-key AKID --secret-key SECRET --database acme --workgroup acme \
        --output-location s3://runlake-results/acme/ --process-id <id>

Everything is done the way a user does it: `pyathena.connect(endpoint_url=..., verify=<the server's
certificate>)`, the default cursor (typed Python values from GetQueryResults), PandasCursor (which
reads the staged `<id>.csv` through boto3's S3 client: PyAthena 4 gives that client no
`endpoint_url`, so it is pointed at the same endpoint with AWS_ENDPOINT_URL_S3, boto3's own
per-service setting), and SQLAlchemy's `awsathena+rest` dialect and inspector.

Each section records what came back, or the error it raised ({"error": {"class", "message"}}); the
probe never decides what is right, the test does. Values are reported as {"type": <Python type
name>, "value": <JSON form>} so the test can check both.
"""
from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import math
import os
import sys
import traceback
from typing import Any, Callable
from urllib.parse import quote_plus


def jsonable(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2**53 else str(v)  # JSON readers lose precision past 2^53
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if hasattr(v, "item") and callable(v.item):  # numpy scalars
        return jsonable(v.item())
    if hasattr(v, "isoformat"):  # pandas Timestamp
        return v.isoformat()
    return str(v)


def cell(v: Any) -> dict[str, Any]:
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return {"type": type(v).__name__, "value": None}
    except ImportError:
        pass
    return {"type": type(v).__name__, "value": jsonable(v)}


def error_of(e: BaseException) -> dict[str, str]:
    return {"class": type(e).__name__, "message": str(e)}


def section(report: dict[str, Any], name: str, fn: Callable[[], Any]) -> None:
    try:
        report[name] = fn()
    except Exception as e:  # noqa: BLE001 - the report carries the failure
        report[name] = {"error": error_of(e), "trace": traceback.format_exc(limit=4)}


def rows_of(cursor: Any, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [{n: cell(v) for n, v in zip(names, r)} for r in rows]


def description(cursor: Any) -> list[dict[str, Any]]:
    return [{"name": d[0], "type": d[1], "precision": d[4], "scale": d[5], "nullable": d[6]} for d in cursor.description]


TYPES_SQL = """SELECT
  CAST(7 AS integer) AS i,
  CAST(9007199254740993 AS bigint) AS big,
  CAST(0.25 AS double) AS dbl,
  CAST('12345.67' AS decimal(10, 2)) AS dec,
  true AS yes,
  false AS no,
  'héllo, "quoted"' AS txt,
  '' AS empty,
  CAST(NULL AS varchar) AS nothing,
  DATE '2024-02-29' AS day,
  TIMESTAMP '2024-02-29 23:59:58.123' AS ts,
  ARRAY[1, 2, 3] AS ints,
  ARRAY['a', 'b'] AS strs"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", required=True, help="the Athena endpoint, https://host:port")
    ap.add_argument("--ca", required=True, help="PEM file of the server's certificate (verify=)")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--access-key", required=True)
    ap.add_argument("--secret-key", required=True)
    ap.add_argument("--database", required=True)
    ap.add_argument("--workgroup", required=True)
    ap.add_argument("--output-location", required=True)
    ap.add_argument("--process-id", required=True, help="a process of the organization, read back by id")
    ap.add_argument("--other-database", help="another organization's database, which must be refused")
    ap.add_argument("--scratch-schema", default="looker_scratch")
    a = ap.parse_args()

    from pyathena import connect
    from pyathena.pandas.cursor import PandasCursor

    common: dict[str, Any] = dict(
        s3_staging_dir=a.output_location,
        work_group=a.workgroup,
        region_name=a.region,
        schema_name=a.database,
        endpoint_url=a.endpoint,
        verify=a.ca,
        aws_access_key_id=a.access_key,
        aws_secret_access_key=a.secret_key,
        poll_interval=0.05,
    )
    report: dict[str, Any] = {"s3Endpoint": os.environ.get("AWS_ENDPOINT_URL_S3")}
    import boto3
    import pyathena

    report["versions"] = {"pyathena": pyathena.__version__, "boto3": boto3.__version__}

    conn = connect(**common)

    def types() -> Any:
        cur = conn.cursor()
        cur.execute(TYPES_SQL)
        return {"description": description(cur), "rows": rows_of(cur, cur.fetchall()), "queryId": cur.query_id,
                "outputLocation": cur.output_location, "state": cur.state}

    def process() -> Any:
        cur = conn.cursor()
        sql = ("SELECT process_id, process_name, blueprint_version, total_tasks, has_open_issue, tags, started_at, completed_at "
               "FROM processes WHERE process_id = %(id)s")
        cur.execute(sql, {"id": a.process_id})
        pyformat = rows_of(cur, cur.fetchall())
        # Server-side parameters: PyAthena sends ExecutionParameters for the qmark style.
        cur.execute(sql.replace("%(id)s", "?"), [a.process_id], paramstyle="qmark")
        qmark = rows_of(cur, cur.fetchall())
        return {"pyformat": pyformat, "qmark": qmark}

    def counts() -> Any:
        cur = conn.cursor()
        out = {}
        for t in ("processes", "steps", "members"):
            cur.execute(f"SELECT count(*) AS n FROM {t}")
            out[t] = cur.fetchone()[0]
        return out

    def paging() -> Any:
        # More rows than one GetQueryResults page (PyAthena asks for arraysize=1000 at a time).
        cur = conn.cursor()
        cur.execute("SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x) ORDER BY x")
        got: list[int] = []
        while True:
            batch = cur.fetchmany(700)
            if not batch:
                break
            got.extend(r[0] for r in batch)
        return {"rows": len(got), "inOrder": got == list(range(1, 2501)), "first": got[:2], "last": got[-2:]}

    def errors() -> Any:
        cur = conn.cursor()
        out: dict[str, Any] = {}
        for name, sql in (("missingTable", "SELECT * FROM no_such_table"), ("syntax", "SELEC 1")) + (
            (("otherDatabase", f"SELECT count(*) FROM {a.other_database}.processes"),) if a.other_database else ()
        ):
            try:
                cur.execute(sql)
                out[name] = {"rows": jsonable(cur.fetchall())}
            except Exception as e:  # noqa: BLE001
                out[name] = error_of(e)
        return out

    def ctas() -> Any:
        cur = conn.cursor()
        name = f"{a.scratch_schema}.pyathena_probe"
        out: dict[str, Any] = {}
        cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute(
            f"CREATE TABLE {name} WITH (format = 'PARQUET') AS SELECT process_status, count(*) AS n FROM processes GROUP BY 1"
        )
        out["create"] = {"rowcount": cur.rowcount, "description": description(cur) if cur.description else None}
        cur.execute(f"SELECT sum(n) FROM {name}")
        out["sum"] = cur.fetchone()[0]
        cur.execute(f"SHOW TABLES IN {a.scratch_schema}")
        out["shown"] = sorted(r[0] for r in cur.fetchall())
        cur.execute(f"DROP TABLE {name}")
        cur.execute(f"SHOW TABLES IN {a.scratch_schema}")
        out["afterDrop"] = sorted(r[0] for r in cur.fetchall())
        return out

    def pandas_cursor() -> Any:
        cur = connect(cursor_class=PandasCursor, **common).cursor()
        df = cur.execute(
            "SELECT process_id, total_tasks, has_open_issue, started_at FROM processes ORDER BY process_id"
        ).as_pandas()
        typed = cur.execute(TYPES_SQL).as_pandas()
        return {
            "outputLocation": cur.output_location,
            "processes": {"rows": len(df), "dtypes": {c: str(t) for c, t in df.dtypes.items()},
                          "first": {c: cell(df[c].iloc[0]) for c in df.columns} if len(df) else None,
                          "ids": list(df["process_id"])},
            "types": {"dtypes": {c: str(t) for c, t in typed.dtypes.items()},
                      "row": {c: cell(typed[c].iloc[0]) for c in typed.columns}},
        }

    def sqlalchemy() -> Any:
        from sqlalchemy import create_engine, inspect, text

        url = (
            f"awsathena+rest://{quote_plus(a.access_key)}:{quote_plus(a.secret_key)}@athena.{a.region}.amazonaws.com:443/"
            f"{a.database}?s3_staging_dir={quote_plus(a.output_location)}&work_group={quote_plus(a.workgroup)}"
            f"&endpoint_url={quote_plus(a.endpoint)}&verify={quote_plus(a.ca)}&poll_interval=0.05"
        )
        engine = create_engine(url)
        insp = inspect(engine)
        out: dict[str, Any] = {
            "schemas": insp.get_schema_names(),
            "tables": sorted(insp.get_table_names(schema=a.database)),
            "views": sorted(insp.get_view_names(schema=a.database)),
            "hasTable": insp.has_table("processes", schema=a.database),
            "hasMissing": insp.has_table("no_such_table", schema=a.database),
            "columns": {
                t: [{"name": c["name"], "type": str(c["type"]), "nullable": c.get("nullable")} for c in insp.get_columns(t, schema=a.database)]
                for t in ("processes", "process_durations")
            },
        }
        with engine.connect() as con:
            out["count"] = con.execute(text("SELECT count(*) FROM processes")).scalar()
            out["bound"] = con.execute(text("SELECT process_name FROM processes WHERE process_id = :id"), {"id": a.process_id}).scalar()
        engine.dispose()
        return out

    section(report, "types", types)
    section(report, "process", process)
    section(report, "counts", counts)
    section(report, "paging", paging)
    section(report, "errors", errors)
    section(report, "ctas", ctas)
    section(report, "pandas", pandas_cursor)
    section(report, "sqlalchemy", sqlalchemy)
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
