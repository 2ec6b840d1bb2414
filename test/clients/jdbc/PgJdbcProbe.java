/*
 * PgJdbcProbe: what a JDBC tool (DBeaver, Metabase, Tableau, Looker) sees through the real
 * PostgreSQL JDBC driver (pgJDBC) when it connects to a server. It connects, walks
 * DatabaseMetaData, runs a PreparedStatement past pgJDBC's prepareThreshold, fetches with a fetch
 * size inside a transaction, tries a wrong password and another database, and prints ONE JSON
 * document on stdout. It asserts nothing itself: test/pgwire/jdbc.test.ts does.
 *
 *   javac -cp postgresql.jar -d out PgJdbcProbe.java
 *   java -cp out:postgresql.jar PgJdbcProbe --host 127.0.0.1 --port 5433 --database acme \
 *        --user AKID --password SECRET [--other-database globex] [--sslmode require]
 *        [--sslrootcert cert.pem] [--schemas public,looker_scratch] [--process-id acme-1]
 *        [--fetch-rows 1000] [--fetch-size 100] [--runs 8] [--trace true]
 * Every option can also come from the environment: RUNLAKE_JDBC_HOST, _PORT, _DATABASE, _USER,
 * _PASSWORD, _OTHER_DATABASE, _SSLMODE, _SSLROOTCERT, _SCHEMAS, _PROCESS_ID, _FETCH_ROWS,
 * _FETCH_SIZE, _RUNS, _TRACE (true: the driver's protocol trace on stderr).
 *
 * Wire-level facts (named statements, Execute row limits, PortalSuspended) come from the
 * driver's own java.util.logging trace (FINEST on org.postgresql), which logs every protocol
 * message it sends and receives; result formats (text/binary) come from the driver's Field list
 * of each ResultSet. Each section catches its own failure and reports it with its SQLState, so
 * one broken call does not hide the others.
 */

import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.text.MessageFormat;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

public final class PgJdbcProbe {
  private final Map<String, String> opts;
  /** The driver's protocol trace since the last `trace.clear()`. */
  private final List<String> trace = new ArrayList<>();
  /** Kept referenced: java.util.logging holds loggers weakly. */
  private final Logger driverLogger = Logger.getLogger("org.postgresql");

  private PgJdbcProbe(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    String[][] defaults = {
      {"host", "127.0.0.1"}, {"port", "5433"}, {"database", null}, {"user", null}, {"password", null},
      {"other-database", null}, {"sslmode", "require"}, {"sslrootcert", null}, {"schemas", "public,looker_scratch"},
      {"process-id", null}, {"fetch-rows", "1000"}, {"fetch-size", "100"}, {"runs", "8"}, {"trace", "false"},
    };
    for (String[] d : defaults) {
      String env = System.getenv("RUNLAKE_JDBC_" + d[0].toUpperCase().replace('-', '_'));
      if (env != null && !env.isEmpty()) opts.put(d[0], env);
      else if (d[1] != null) opts.put(d[0], d[1]);
    }
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) usage("bad argument " + args[i]);
      String name = args[i].substring(2);
      boolean known = false;
      for (String[] d : defaults) known |= d[0].equals(name);
      if (!known) usage("unknown option --" + name);
      opts.put(name, args[++i]);
    }
    for (String required : new String[] {"database", "user", "password"}) {
      if (!opts.containsKey(required)) usage("--" + required + " is required");
    }
    System.out.println(Json.write(new PgJdbcProbe(opts).run()));
  }

  private static void usage(String problem) {
    System.err.println("PgJdbcProbe: " + problem);
    System.err.println("usage: java PgJdbcProbe --database DB --user USER --password SECRET [--host H] [--port P]"
        + " [--other-database DB] [--sslmode MODE] [--sslrootcert PEM] [--schemas a,b] [--process-id ID]"
        + " [--fetch-rows N] [--fetch-size N] [--runs N] [--trace true]");
    System.exit(2);
  }

  // ------------------------------------------------------------------------------- the report

  private Map<String, Object> run() {
    installTrace();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("jvm", Map.of("version", System.getProperty("java.version"), "timezone", java.util.TimeZone.getDefault().getID()));
    try (Connection c = connect(opts.get("database"), opts.get("password"))) {
      report.put("connection", section(() -> connection(c)));
      report.put("metadata", section(() -> metadata(c)));
      report.put("resultSetMetadata", section(() -> resultSetMetadata(c)));
      report.put("prepared", section(() -> prepared(c)));
      report.put("fetch", section(() -> fetch(c)));
    } catch (SQLException e) {
      report.put("connectError", error(e));
    }
    report.put("refusals", section(this::refusals));
    return report;
  }

  private interface Section {
    Object run() throws Exception;
  }

  private static Object section(Section s) {
    try {
      return s.run();
    } catch (SQLException e) {
      return Map.of("error", error(e));
    } catch (Exception e) {
      Map<String, Object> err = new LinkedHashMap<>();
      err.put("class", e.getClass().getName());
      err.put("message", String.valueOf(e.getMessage()));
      return Map.of("error", err);
    }
  }

  private Connection connect(String database, String password) throws SQLException {
    String url = "jdbc:postgresql://" + opts.get("host") + ":" + opts.get("port") + "/" + database;
    Properties p = new Properties();
    p.setProperty("user", opts.get("user"));
    p.setProperty("password", password);
    p.setProperty("sslmode", opts.get("sslmode"));
    if (opts.containsKey("sslrootcert")) p.setProperty("sslrootcert", opts.get("sslrootcert"));
    p.setProperty("ApplicationName", "PgJdbcProbe");
    p.setProperty("connectTimeout", "20");
    p.setProperty("socketTimeout", "60");
    return DriverManager.getConnection(url, p);
  }

  private Map<String, Object> connection(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("driverName", md.getDriverName());
    out.put("driverVersion", md.getDriverVersion());
    out.put("productName", md.getDatabaseProductName());
    out.put("productVersion", md.getDatabaseProductVersion());
    out.put("catalog", c.getCatalog());
    out.put("schema", c.getSchema());
    out.put("userName", md.getUserName());
    out.put("readOnly", c.isReadOnly());
    out.put("valid", c.isValid(5));
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 AS one, current_database() AS db")) {
      rs.next();
      out.put("selectOne", rs.getInt("one"));
      out.put("currentDatabase", rs.getString("db"));
    }
    return out;
  }

  // ------------------------------------------------------------------------------- metadata

  private Map<String, Object> metadata(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    Map<String, Object> out = new LinkedHashMap<>();
    String[] schemas = opts.get("schemas").split(",");

    out.put("catalogs", section(() -> rows(md.getCatalogs(), "TABLE_CAT")));
    out.put("schemas", section(() -> rows(md.getSchemas(), "TABLE_SCHEM", "TABLE_CATALOG")));
    out.put("tableTypes", section(() -> rows(md.getTableTypes(), "TABLE_TYPE")));
    out.put("tables", section(() -> {
      List<Map<String, Object>> all = new ArrayList<>();
      for (String s : schemas) all.addAll(rows(md.getTables(null, s, "%", null), "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS"));
      return all;
    }));
    // DBeaver's and Tableau's navigator ask by type.
    out.put("tablesOfTypeTable", section(() -> rows(md.getTables(null, "public", "%", new String[] {"TABLE"}), "TABLE_NAME")));
    out.put("tablesOfTypeView", section(() -> rows(md.getTables(null, "public", "%", new String[] {"VIEW"}), "TABLE_NAME")));
    out.put("systemTables", section(() -> rows(md.getTables(null, "pg_catalog", "pg_class", null), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE")));

    List<String[]> relations = new ArrayList<>();
    for (String s : schemas) {
      try (ResultSet rs = md.getTables(null, s, "%", new String[] {"TABLE", "VIEW"})) {
        while (rs.next()) relations.add(new String[] {rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME")});
      } catch (SQLException e) {
        // reported by "tables" above
      }
    }
    out.put("columns", section(() -> {
      List<Map<String, Object>> all = new ArrayList<>();
      for (String s : schemas) {
        all.addAll(rows(md.getColumns(null, s, "%", "%"),
            "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS",
            "NULLABLE", "IS_NULLABLE", "ORDINAL_POSITION", "REMARKS", "IS_AUTOINCREMENT", "IS_GENERATEDCOLUMN"));
      }
      return all;
    }));
    out.put("primaryKeys", section(() -> perRelation(relations, (s, t) -> rows(md.getPrimaryKeys(null, s, t), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"))));
    out.put("importedKeys", section(() -> perRelation(relations, (s, t) -> rows(md.getImportedKeys(null, s, t), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "FK_NAME"))));
    out.put("exportedKeys", section(() -> perRelation(relations, (s, t) -> rows(md.getExportedKeys(null, s, t), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME"))));
    out.put("indexInfo", section(() -> perRelation(relations, (s, t) -> rows(md.getIndexInfo(null, s, t, false, true), "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME", "TYPE", "ORDINAL_POSITION", "COLUMN_NAME"))));
    out.put("typeInfo", section(() -> rows(md.getTypeInfo(), "TYPE_NAME", "DATA_TYPE", "PRECISION", "NULLABLE", "CASE_SENSITIVE", "SEARCHABLE", "UNSIGNED_ATTRIBUTE", "AUTO_INCREMENT")));
    out.put("maxIndexKeys", section(() -> md.getMaxColumnsInIndex()));
    out.put("functions", section(() -> rows(md.getFunctions(null, "pg_catalog", "version"), "FUNCTION_SCHEM", "FUNCTION_NAME")));
    return out;
  }

  private interface RelationQuery {
    List<Map<String, Object>> run(String schema, String table) throws SQLException;
  }

  /** `{ "schema.table": rows }` for every relation; a failing relation gets its error instead. */
  private static Map<String, Object> perRelation(List<String[]> relations, RelationQuery q) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String[] r : relations) {
      Object value;
      try {
        value = q.run(r[0], r[1]);
      } catch (SQLException e) {
        value = Map.of("error", error(e));
      }
      out.put(r[0] + "." + r[1], value);
    }
    return out;
  }

  // ------------------------------------------------------------------------------- queries

  /** What a SQL editor's result grid reads: the ResultSetMetaData of `SELECT *` on each table. */
  private Map<String, Object> resultSetMetadata(Connection c) throws SQLException {
    Map<String, Object> out = new LinkedHashMap<>();
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE", "VIEW"})) {
      while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
    }
    for (String t : tables) {
      out.put(t, section(() -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM public.\"" + t + "\" LIMIT 1")) {
          ResultSetMetaData m = rs.getMetaData();
          List<Map<String, Object>> cols = new ArrayList<>();
          for (int i = 1; i <= m.getColumnCount(); i++) {
            Map<String, Object> col = new LinkedHashMap<>();
            col.put("name", m.getColumnName(i));
            col.put("type", m.getColumnType(i));
            col.put("typeName", m.getColumnTypeName(i));
            col.put("className", m.getColumnClassName(i));
            cols.add(col);
          }
          return cols;
        }
      }));
    }
    return out;
  }

  /**
   * One PreparedStatement executed `runs` times with the same parameters: pgJDBC switches to a
   * named server statement and binary results after prepareThreshold (5) executions. Each run
   * reports whether the statement was server-prepared, the result formats, and every value.
   */
  private Map<String, Object> prepared(Connection c) throws Exception {
    int runs = Integer.parseInt(opts.get("runs"));
    String sql = "SELECT p.process_id, p.process_name, p.blueprint_version, p.total_tasks, p.has_open_issue, p.started_at,"
        + " p.completed_at, p.tags,"
        + " CAST(? AS integer) AS i4, CAST(? AS bigint) AS i8, CAST(? AS smallint) AS i2, CAST(? AS double precision) AS f8,"
        + " CAST(? AS real) AS f4, CAST(? AS numeric(14,4)) AS num, ? AS ts, ? AS d, ? AS bool_true, ? AS bool_false,"
        + " ? AS txt, CAST(? AS integer) AS null_int, CAST(? AS varchar) AS null_text, CAST(? AS timestamp) AS null_ts,"
        + " CAST(p.started_at AS date) AS started_day, CAST(1234567.891 AS numeric(12,3)) AS num_lit,"
        + " CAST(-0.5 AS double precision) AS f8_lit, 9007199254740993 AS i8_lit"
        + " FROM processes p WHERE p.process_id = ?";
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sql", sql);
    List<Object> results = new ArrayList<>();
    trace.clear();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      org.postgresql.PGStatement pgs = ps.unwrap(org.postgresql.PGStatement.class);
      out.put("prepareThreshold", pgs.getPrepareThreshold());
      for (int run = 1; run <= runs; run++) {
        int i = 1;
        ps.setInt(i++, 2147483647);
        ps.setLong(i++, -9007199254740993L);
        ps.setShort(i++, (short) -32768);
        ps.setDouble(i++, 3.141592653589793);
        ps.setFloat(i++, 0.1f);
        ps.setBigDecimal(i++, new BigDecimal("-12345678.9012"));
        ps.setObject(i++, LocalDateTime.of(2024, 2, 29, 23, 59, 58, 123456000));
        ps.setObject(i++, LocalDate.of(1999, 12, 31));
        ps.setBoolean(i++, true);
        ps.setBoolean(i++, false);
        ps.setString(i++, "héllo, 'wörld' \"q\" \\ ✓");
        ps.setNull(i++, Types.INTEGER);
        ps.setNull(i++, Types.VARCHAR);
        ps.setNull(i++, Types.TIMESTAMP);
        ps.setString(i++, opts.getOrDefault("process-id", ""));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run", run);
        r.put("serverPrepared", pgs.isUseServerPrepare());
        try (ResultSet rs = ps.executeQuery()) {
          r.put("formats", formats(rs));
          List<Object> rowsOut = new ArrayList<>();
          while (rs.next()) rowsOut.add(values(rs));
          r.put("rows", rowsOut);
        }
        results.add(r);
      }
    }
    out.put("runs", results);
    out.put("wire", wire());
    return out;
  }

  /** Every column of the current row, read the way its JDBC type suggests (zone-independent). */
  private static Map<String, Object> values(ResultSet rs) throws SQLException {
    ResultSetMetaData m = rs.getMetaData();
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 1; i <= m.getColumnCount(); i++) {
      String name = m.getColumnLabel(i);
      Object v;
      switch (m.getColumnType(i)) {
        case Types.TIMESTAMP:
          LocalDateTime ldt = rs.getObject(i, LocalDateTime.class);
          Timestamp ts = rs.getTimestamp(i);
          v = ldt == null ? null : ldt.toString();
          // getTimestamp agrees with getObject(LocalDateTime) in the JVM's zone.
          if (ts != null && !ts.toLocalDateTime().equals(ldt)) v = "MISMATCH " + ldt + " vs " + ts;
          break;
        case Types.TIMESTAMP_WITH_TIMEZONE:
          OffsetDateTime odt = rs.getObject(i, OffsetDateTime.class);
          v = odt == null ? null : odt.toInstant().toString();
          break;
        case Types.DATE:
          LocalDate ld = rs.getObject(i, LocalDate.class);
          Date d = rs.getDate(i);
          v = ld == null ? null : ld.toString();
          if (d != null && !d.toLocalDate().equals(ld)) v = "MISMATCH " + ld + " vs " + d;
          break;
        case Types.NUMERIC:
        case Types.DECIMAL:
          BigDecimal bd = rs.getBigDecimal(i);
          v = bd == null ? null : bd.toPlainString();
          break;
        case Types.ARRAY:
          java.sql.Array a = rs.getArray(i);
          if (a == null) {
            v = null;
          } else {
            List<Object> items = new ArrayList<>();
            for (Object o : (Object[]) a.getArray()) items.add(o);
            v = items;
          }
          break;
        case Types.BIGINT:
          long l = rs.getLong(i);
          v = rs.wasNull() ? null : Long.toString(l);
          break;
        case Types.INTEGER:
        case Types.SMALLINT:
          int n = rs.getInt(i);
          v = rs.wasNull() ? null : n;
          break;
        case Types.DOUBLE:
          double db = rs.getDouble(i);
          v = rs.wasNull() ? null : Double.toString(db);
          break;
        case Types.REAL:
          float f = rs.getFloat(i);
          v = rs.wasNull() ? null : Float.toString(f);
          break;
        case Types.BIT:
        case Types.BOOLEAN:
          boolean b = rs.getBoolean(i);
          v = rs.wasNull() ? null : b;
          break;
        default:
          v = rs.getString(i);
      }
      Map<String, Object> cell = new LinkedHashMap<>();
      cell.put("type", m.getColumnTypeName(i));
      cell.put("value", v);
      row.put(name, cell);
    }
    return row;
  }

  /** `{column: "T"|"B"}`: the format the server sent each column in (pgJDBC's Field list). */
  private static Map<String, String> formats(ResultSet rs) throws Exception {
    Object impl = rs.unwrap(org.postgresql.jdbc.PgResultSet.class);
    Field f = org.postgresql.jdbc.PgResultSet.class.getDeclaredField("fields");
    f.setAccessible(true);
    org.postgresql.core.Field[] fields = (org.postgresql.core.Field[]) f.get(impl);
    Map<String, String> out = new LinkedHashMap<>();
    for (org.postgresql.core.Field x : fields) out.put(x.getColumnLabel(), x.getFormat() == org.postgresql.core.Field.BINARY_FORMAT ? "B" : "T");
    return out;
  }

  /**
   * A fetch size inside a transaction: pgJDBC binds a named portal and sends Execute with a row
   * limit; the server answers PortalSuspended until the last batch. Done with a plain Statement
   * and with a PreparedStatement (after the threshold, so binary and named).
   */
  private Map<String, Object> fetch(Connection c) throws Exception {
    int total = Integer.parseInt(opts.get("fetch-rows"));
    int size = Integer.parseInt(opts.get("fetch-size"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("fetchSize", size);
    out.put("expectedRows", total);
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      String sql = "SELECT n, n * 2 AS twice, CAST(n AS varchar) AS label FROM generate_series(1, " + total + ") AS s(n) ORDER BY n";
      trace.clear();
      try (Statement s = c.createStatement()) {
        s.setFetchSize(size);
        try (ResultSet rs = s.executeQuery(sql)) {
          out.put("statement", readSeries(rs));
        }
      }
      out.put("statementWire", wire());

      String psql = "SELECT n, CAST(n AS bigint) * 1000000000 AS big, CAST(n AS double precision) / 4 AS quarter"
          + " FROM generate_series(1, CAST(? AS integer)) AS s(n) ORDER BY n";
      List<Object> prepared = new ArrayList<>();
      trace.clear();
      try (PreparedStatement ps = c.prepareStatement(psql)) {
        ps.setFetchSize(size);
        for (int run = 1; run <= 6; run++) {
          ps.setInt(1, total);
          try (ResultSet rs = ps.executeQuery()) {
            Map<String, Object> r = new LinkedHashMap<>(readSeries(rs));
            r.put("formats", formats(rs));
            prepared.add(r);
          }
        }
      }
      out.put("prepared", prepared);
      out.put("preparedWire", wire());
      c.commit();
      out.put("committed", true);
    } finally {
      c.setAutoCommit(autoCommit);
    }
    return out;
  }

  /** Rows of the generate_series queries: count, first/last, and every row checked in order. */
  private static Map<String, Object> readSeries(ResultSet rs) throws SQLException {
    int count = 0;
    List<String> wrong = new ArrayList<>();
    ResultSetMetaData m = rs.getMetaData();
    while (rs.next()) {
      count++;
      long n = rs.getLong(1);
      if (n != count && wrong.size() < 5) wrong.add("row " + count + ": n=" + n);
      if (m.getColumnLabel(2).equals("twice") && rs.getLong(2) != 2L * count && wrong.size() < 5) wrong.add("row " + count + ": twice=" + rs.getLong(2));
      if (m.getColumnLabel(2).equals("big") && rs.getLong(2) != 1_000_000_000L * count && wrong.size() < 5) wrong.add("row " + count + ": big=" + rs.getLong(2));
      if (m.getColumnCount() >= 3 && m.getColumnLabel(3).equals("label") && !Integer.toString(count).equals(rs.getString(3)) && wrong.size() < 5) wrong.add("row " + count + ": label=" + rs.getString(3));
      if (m.getColumnCount() >= 3 && m.getColumnLabel(3).equals("quarter") && rs.getDouble(3) != count / 4.0 && wrong.size() < 5) wrong.add("row " + count + ": quarter=" + rs.getDouble(3));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rows", count);
    out.put("wrong", wrong);
    return out;
  }

  // ------------------------------------------------------------------------------- refusals

  private Map<String, Object> refusals() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("wrongPassword", attempt(opts.get("database"), opts.get("password") + "-wrong"));
    if (opts.containsKey("other-database")) out.put("otherDatabase", attempt(opts.get("other-database"), opts.get("password")));
    out.put("missingDatabase", attempt("no_such_database_" + Long.toHexString(System.nanoTime()), opts.get("password")));
    return out;
  }

  private Map<String, Object> attempt(String database, String password) {
    try (Connection c = connect(database, password)) {
      return Map.of("connected", c.isValid(5), "database", database);
    } catch (SQLException e) {
      return error(e);
    }
  }

  private static Map<String, Object> error(SQLException e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sqlState", e.getSQLState());
    out.put("message", String.valueOf(e.getMessage()));
    if (e instanceof org.postgresql.util.PSQLException) {
      org.postgresql.util.ServerErrorMessage sem = ((org.postgresql.util.PSQLException) e).getServerErrorMessage();
      if (sem != null) {
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("severity", sem.getSeverity());
        server.put("sqlState", sem.getSQLState());
        server.put("message", sem.getMessage());
        server.put("detail", sem.getDetail());
        server.put("hint", sem.getHint());
        out.put("server", server);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------- helpers

  private static List<Map<String, Object>> rows(ResultSet rs, String... columns) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (rs) {
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String col : columns) row.put(col, rs.getObject(col));
        out.add(row);
      }
    }
    return out;
  }

  /** Counts of the protocol messages in the driver's trace since it was last cleared. */
  private Map<String, Object> wire() {
    Map<String, Object> out = new LinkedHashMap<>();
    int namedParse = 0;
    int unnamedParse = 0;
    int limitedExecute = 0;
    int portalSuspended = 0;
    List<String> executes = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String line : trace) {
      String t = line.trim();
      if (t.startsWith("FE=> Parse(stmt=S_")) namedParse++;
      else if (t.startsWith("FE=> Parse(stmt=null")) unnamedParse++;
      if (t.startsWith("FE=> Execute(")) {
        executes.add(t.substring("FE=> ".length()));
        if (!t.endsWith(",limit=0)") && !t.endsWith(",limit=1)")) limitedExecute++;
      }
      if (t.startsWith("<=BE PortalSuspended")) portalSuspended++;
      if (t.startsWith("<=BE ErrorMessage")) errors.add(t);
    }
    out.put("namedParse", namedParse);
    out.put("unnamedParse", unnamedParse);
    out.put("limitedExecute", limitedExecute);
    out.put("portalSuspended", portalSuspended);
    out.put("executes", executes.size() > 20 ? executes.subList(0, 20) : executes);
    out.put("errors", errors);
    trace.clear();
    return out;
  }

  private void installTrace() {
    driverLogger.setLevel(Level.FINEST);
    driverLogger.setUseParentHandlers(false);
    driverLogger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        String msg = r.getMessage();
        if (msg == null) return;
        Object[] params = r.getParameters();
        if (params != null && params.length > 0) {
          try {
            msg = MessageFormat.format(msg, params);
          } catch (IllegalArgumentException e) {
            // keep the raw message
          }
        }
        if ("true".equals(opts.get("trace"))) System.err.println(msg);
        if (msg.contains("FE=>") || msg.contains("<=BE")) {
          synchronized (trace) {
            trace.add(msg);
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  /** Just enough JSON: maps, lists, strings, numbers, booleans, null (anything else as its string). */
  static final class Json {
    static String write(Object v) {
      StringBuilder sb = new StringBuilder();
      write(sb, v);
      return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
      if (v == null) {
        sb.append("null");
      } else if (v instanceof Map) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          if (!first) sb.append(',');
          first = false;
          string(sb, String.valueOf(e.getKey()));
          sb.append(':');
          write(sb, e.getValue());
        }
        sb.append('}');
      } else if (v instanceof List) {
        sb.append('[');
        boolean first = true;
        for (Object o : (List<?>) v) {
          if (!first) sb.append(',');
          first = false;
          write(sb, o);
        }
        sb.append(']');
      } else if (v instanceof Boolean) {
        sb.append(v);
      } else if (v instanceof Integer || v instanceof Short || v instanceof Long && Math.abs((Long) v) < (1L << 53)) {
        sb.append(v);
      } else if ((v instanceof Double || v instanceof Float) && Double.isFinite(((Number) v).doubleValue())) {
        sb.append(v);
      } else {
        string(sb, String.valueOf(v));
      }
    }

    private static void string(StringBuilder sb, String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        switch (ch) {
          case '"': sb.append("\\\""); break;
          case '\\': sb.append("\\\\"); break;
          case '\n': sb.append("\\n"); break;
          case '\r': sb.append("\\r"); break;
          case '\t': sb.append("\\t"); break;
          default:
            if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
            else sb.append(ch);
        }
      }
      sb.append('"');
    }
  }
}
