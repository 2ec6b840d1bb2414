import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Drives Runlake's Athena-compatible API with a real Amazon Athena JDBC driver (the 3.x driver,
 * com.amazon.athena.jdbc.AthenaDriver, or the Simba-built 2.x AthenaJDBC42 that Looker and Tableau
 * ship) and prints a JSON report on stdout. Run by test/athena/jdbc.test.ts; usable by hand:
 *
 *   java -Djavax.net.ssl.trustStore=runlake.jks -Djavax.net.ssl.trustStorePassword=changeit \
 *     -cp .:athena-jdbc.jar AthenaJdbcProbe --url 'jdbc:athena://' --prop AthenaEndpoint=https://127.0.0.1:8443 \
 *     --prop Region=us-east-1 --prop User=AKID --prop Password=SECRET --prop WorkGroup=acme \
 *     --prop OutputLocation=s3://runlake-results/acme/ --database acme --process-id <id>
 *
 * The connection URL and every driver property come from the command line (the two drivers name
 * them differently); the probe only does what a JDBC tool does: connect (running the driver's own
 * connection test), walk DatabaseMetaData (catalogs, schemas, tables, columns), run statements, read every value with getObject/getString and ResultSetMetaData, and record
 * the SQLExceptions of bad statements. It decides nothing: the test asserts on the report.
 */
public final class AthenaJdbcProbe {
  private static final String TYPES_SQL = "SELECT CAST(7 AS integer) AS i, CAST(9007199254740993 AS bigint) AS big, "
      + "CAST(0.25 AS double) AS dbl, CAST('12345.67' AS decimal(10, 2)) AS dec, true AS yes, "
      + "'héllo, \"quoted\"' AS txt, '' AS empty, CAST(NULL AS varchar) AS nothing, DATE '2024-02-29' AS day, "
      + "TIMESTAMP '2024-02-29 23:59:58.123' AS ts, ARRAY[1, 2, 3] AS ints";

  public static void main(String[] args) throws Exception {
    String url = null;
    String database = null;
    String processId = null;
    String otherDatabase = null;
    Properties props = new Properties();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--url": url = v; i++; break;
        case "--database": database = v; i++; break;
        case "--process-id": processId = v; i++; break;
        case "--other-database": otherDatabase = v; i++; break;
        case "--prop": {
          int eq = v.indexOf('=');
          props.setProperty(v.substring(0, eq), v.substring(eq + 1));
          i++;
          break;
        }
        default: throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (url == null || database == null || processId == null) throw new IllegalArgumentException("--url, --database and --process-id are required");

    Map<String, Object> report = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    Connection c;
    try {
      c = DriverManager.getConnection(url, props);
    } catch (SQLException e) {
      report.put("connectError", error(e));
      System.out.println(Json.write(report));
      return;
    }
    report.put("connectMillis", (System.nanoTime() - t0) / 1_000_000);
    try {
      final String db = database;
      final String pid = processId;
      final String other = otherDatabase;
      section(report, "connection", () -> {
        DatabaseMetaData md = c.getMetaData();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("driverName", md.getDriverName());
        m.put("driverVersion", md.getDriverVersion());
        m.put("productName", md.getDatabaseProductName());
        m.put("catalog", c.getCatalog());
        m.put("schema", c.getSchema());
        m.put("valid", c.isValid(30));
        return m;
      });
      section(report, "selectOne", () -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
          return rows(rs);
        }
      });
      section(report, "catalogs", () -> {
        try (ResultSet rs = c.getMetaData().getCatalogs()) { return rows(rs); }
      });
      section(report, "schemas", () -> {
        try (ResultSet rs = c.getMetaData().getSchemas()) { return rows(rs); }
      });
      section(report, "tables", () -> {
        try (ResultSet rs = c.getMetaData().getTables(null, db, "%", null)) { return rows(rs); }
      });
      section(report, "columns", () -> {
        try (ResultSet rs = c.getMetaData().getColumns(null, db, "processes", "%")) { return rows(rs); }
      });
      section(report, "types", () -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TYPES_SQL)) { return typed(rs); }
      });
      section(report, "process", () -> {
        String sql = "SELECT process_id, process_name, blueprint_version, total_tasks, has_open_issue, started_at, completed_at "
            + "FROM processes WHERE process_id = ?";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.replace("?", "'" + pid.replace("'", "''") + "'"))) {
          return typed(rs);
        }
      });
      section(report, "count", () -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) AS n FROM processes")) {
          rs.next();
          return rs.getLong(1);
        }
      });
      section(report, "paging", () -> {
        // More rows than one GetQueryResults page (1000).
        try (Statement s = c.createStatement()) {
          s.setFetchSize(1000);
          try (ResultSet rs = s.executeQuery("SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x) ORDER BY x")) {
            long n = 0;
            boolean inOrder = true;
            while (rs.next()) {
              n++;
              if (rs.getLong(1) != n) inOrder = false;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rows", n);
            m.put("inOrder", inOrder);
            return m;
          }
        }
      });
      section(report, "errors", () -> {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String[]> bad = new ArrayList<>();
        bad.add(new String[] {"missingTable", "SELECT * FROM no_such_table"});
        bad.add(new String[] {"syntax", "SELECT 1 +"});
        if (other != null) bad.add(new String[] {"otherDatabase", "SELECT count(*) FROM " + other + ".processes"});
        for (String[] b : bad) {
          try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(b[1])) {
            m.put(b[0], rows(rs));
          } catch (SQLException e) {
            m.put(b[0], error(e));
          }
        }
        return m;
      });
    } finally {
      c.close();
    }
    System.out.println(Json.write(report));
  }

  interface Section {
    Object run() throws Exception;
  }

  private static void section(Map<String, Object> report, String name, Section s) {
    try {
      report.put(name, s.run());
    } catch (Exception e) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("error", e instanceof SQLException ? error((SQLException) e) : Map.of("class", e.getClass().getName(), "message", String.valueOf(e.getMessage())));
      report.put(name, m);
    }
  }

  private static Map<String, Object> error(SQLException e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("class", e.getClass().getName());
    m.put("sqlState", e.getSQLState());
    m.put("message", String.valueOf(e.getMessage()));
    return m;
  }

  /** Rows as name → getObject value (metadata result sets). */
  private static List<Map<String, Object>> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<Map<String, Object>> out = new ArrayList<>();
    while (rs.next()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), plain(rs.getObject(i)));
      out.add(row);
    }
    return out;
  }

  /** Column metadata plus every row as {class, string, object} per column. */
  private static Map<String, Object> typed(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<Map<String, Object>> cols = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      Map<String, Object> col = new LinkedHashMap<>();
      col.put("name", md.getColumnLabel(i));
      col.put("type", md.getColumnType(i));
      col.put("typeName", md.getColumnTypeName(i));
      col.put("className", md.getColumnClassName(i));
      cols.add(col);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    while (rs.next()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        Object o = rs.getObject(i);
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("class", o == null ? null : o.getClass().getName());
        cell.put("string", rs.getString(i));
        cell.put("value", plain(o));
        row.put(md.getColumnLabel(i), cell);
      }
      rows.add(row);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("columns", cols);
    m.put("rows", rows);
    return m;
  }

  /** A JSON-friendly form of a driver value. */
  private static Object plain(Object o) throws SQLException {
    if (o instanceof Long && Math.abs((Long) o) > (1L << 53)) return o.toString(); // JSON readers lose precision past 2^53
    if (o == null || o instanceof String || o instanceof Boolean || o instanceof Integer || o instanceof Long || o instanceof Short) return o;
    if (o instanceof BigDecimal) return ((BigDecimal) o).toPlainString();
    if (o instanceof Double || o instanceof Float) return ((Number) o).doubleValue();
    if (o instanceof Array) {
      Object[] items = (Object[]) ((Array) o).getArray();
      List<Object> l = new ArrayList<>();
      for (Object x : items) l.add(plain(x));
      return l;
    }
    return o.toString();
  }

  /** A minimal JSON writer (no dependencies on the classpath besides the driver). */
  static final class Json {
    static String write(Object o) {
      StringBuilder sb = new StringBuilder();
      write(sb, o);
      return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder sb, Object o) {
      if (o == null) {
        sb.append("null");
      } else if (o instanceof String) {
        str(sb, (String) o);
      } else if (o instanceof Boolean || o instanceof Integer || o instanceof Long || o instanceof Short) {
        sb.append(o);
      } else if (o instanceof Double) {
        double d = (Double) o;
        if (Double.isFinite(d)) sb.append(d); else str(sb, Double.toString(d));
      } else if (o instanceof Map) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : ((Map<String, Object>) o).entrySet()) {
          if (!first) sb.append(',');
          first = false;
          str(sb, e.getKey());
          sb.append(':');
          write(sb, e.getValue());
        }
        sb.append('}');
      } else if (o instanceof List) {
        sb.append('[');
        boolean first = true;
        for (Object x : (List<Object>) o) {
          if (!first) sb.append(',');
          first = false;
          write(sb, x);
        }
        sb.append(']');
      } else {
        str(sb, o.toString());
      }
    }

    private static void str(StringBuilder sb, String s) {
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
            if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch)); else sb.append(ch);
        }
      }
      sb.append('"');
    }
  }
}
