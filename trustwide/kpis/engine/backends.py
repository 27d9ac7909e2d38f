"""Backends: DuckDB (default) or PySpark under one Ibis interface."""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from .schema import (
    DUCKDB_MEMORY_LIMIT,
    DUCKDB_TEMP_DIR,
)

# ----------------------------------------------------------------------------------------
# Backends
# ----------------------------------------------------------------------------------------

# SQL types of the store columns, per backend.
_SQL_TYPES = {
    "duckdb": {
        "int64": "BIGINT",
        "int32": "INTEGER",
        "int16": "SMALLINT",
        "int8": "TINYINT",
        "string": "VARCHAR",
        "date": "DATE",
        "boolean": "BOOLEAN",
        "float64": "DOUBLE",
    },
    "pyspark": {
        "int64": "bigint",
        "int32": "int",
        "int16": "smallint",
        "int8": "tinyint",
        "string": "string",
        "date": "date",
        "boolean": "boolean",
        "float64": "double",
    },
}


class _Backend:
    """The only backend-specific code: opening, registering tables, running compiled SQL."""

    def __init__(self, kind: str, connection):
        if kind not in ("duckdb", "pyspark"):
            raise ValueError("backend must be 'duckdb' or 'pyspark'")
        self.kind = kind
        self._owned = connection is None
        self.con = connection if connection is not None else self._connect(kind)
        self._views: list[str] = []  # views over files
        self._registered: list[str] = []  # small arrow tables (DuckDB) / views (Spark)
        self._tables: list[str] = []  # materialised tables

    @staticmethod
    def _connect(kind: str):
        if kind == "duckdb":
            con = ibis.duckdb.connect()
            # Bounded memory (spills to a temp directory beyond it); insertion order is not
            # needed by any query here and costs memory in large materialisations.
            con.raw_sql(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
            con.raw_sql("SET preserve_insertion_order = false")
            con.raw_sql(f"SET temp_directory = '{DUCKDB_TEMP_DIR}'")
            return con
        return ibis.pyspark.connect(spark_session())

    def compile(self, expr: ir.Table) -> str:
        return self.con.compile(expr)

    def register_files(
        self,
        name: str,
        files: list[str],
        base: Path,
        columns: dict[str, str],
        schools: list[int] | None = None,
    ) -> None:
        """A view `name` over the files with exactly `columns` (cast to the contract's types;
        a cast to the same type is free), keeping only rows of `schools` when given (files
        that hold several schools). No files: an empty view of that schema."""
        types = _SQL_TYPES[self.kind]
        if self.kind == "duckdb":
            cols = ", ".join(f'CAST("{c}" AS {types[t]}) AS "{c}"' for c, t in columns.items())
            if files:
                listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                # Hive partitioning off: rows carry school_urn and academic_year themselves.
                src = f"read_parquet([{listed}], hive_partitioning = false)"
                sql = f"SELECT {cols} FROM {src}"
                if schools is not None:
                    sql += f" WHERE school_urn IN ({', '.join(str(int(u)) for u in schools)})"
            else:
                nulls = ", ".join(f'CAST(NULL AS {types[t]}) AS "{c}"' for c, t in columns.items())
                sql = f"SELECT {nulls} WHERE FALSE"
            self.con.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {sql}')
        else:
            session = self.con._session
            if files:
                df = session.read.option("basePath", str(base)).parquet(*files)
                if schools is not None:
                    df = df.where(df["school_urn"].isin([int(u) for u in schools]))
                df = df.selectExpr(
                    *[f"CAST(`{c}` AS {types[t]}) AS `{c}`" for c, t in columns.items()]
                )
            else:
                df = session.createDataFrame(
                    [], ", ".join(f"`{c}` {types[t]}" for c, t in columns.items())
                )
            df.createOrReplaceTempView(name)
        self._views.append(name)

    def register_table(self, name: str, table: pa.Table) -> None:
        """A small lookup table (a few rows) as a view `name`."""
        if self.kind == "duckdb":
            self.con.con.register(name, table)
        else:
            types = _SQL_TYPES["pyspark"]
            arrow_names = {
                pa.int8(): "int8",
                pa.int16(): "int16",
                pa.int32(): "int32",
                pa.string(): "string",
                pa.date32(): "date",
                pa.bool_(): "boolean",
                pa.float64(): "float64",
            }
            ddl = ", ".join(f"`{f.name}` {types[arrow_names[f.type]]}" for f in table.schema)
            df = self.con._session.createDataFrame(
                [tuple(r.values()) for r in table.to_pylist()], ddl
            )
            df.createOrReplaceTempView(name)
        self._registered.append(name)

    def materialize(self, name: str, sql: str) -> None:
        if self.kind == "duckdb":
            self.con.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
        else:
            self.con._session.sql(f"CACHE TABLE `{name}` AS {sql}")
        self._tables.append(name)

    def query(self, sql: str, schema: pa.Schema) -> pa.Table:
        if self.kind == "duckdb":
            table = self.con.con.sql(sql).to_arrow_table()
        else:
            df = self.con._session.sql(sql)
            table = (
                df.toArrow()
                if hasattr(df, "toArrow")
                else pa.Table.from_pandas(df.toPandas(), preserve_index=False)
            )
        return table.select(schema.names).cast(schema)

    def drop_batch(self) -> None:
        """Drop this batch's tables and views (best effort; the connection may be closing)."""
        for name in self._tables:
            try:
                if self.kind == "duckdb":
                    self.con.con.execute(f'DROP TABLE IF EXISTS "{name}"')
                else:
                    self.con._session.catalog.uncacheTable(name)
                    self.con._session.catalog.dropTempView(name)
            except Exception:  # noqa: BLE001
                pass
        for name in self._views + self._registered:
            try:
                if self.kind != "duckdb":
                    self.con._session.catalog.dropTempView(name)
                elif name in self._registered:
                    self.con.con.unregister(name)
                else:
                    self.con.con.execute(f'DROP VIEW IF EXISTS "{name}"')
            except Exception:  # noqa: BLE001
                pass
        self._tables.clear()
        self._views.clear()
        self._registered.clear()

    def close(self) -> None:
        self.drop_batch()
        if self._owned and self.kind == "duckdb":
            self.con.disconnect()


def spark_session():
    """A local Spark session sized for this machine (2 cores): few shuffle partitions."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("trustwide-kpis")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
