import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LexError, parseSessionCommand, splitStatements, tokenize } from '../../src/protocols/pgwire/commands.ts';
import { parseOptions } from '../../src/protocols/pgwire/session.ts';
import { formatDurationMs, parseDurationMs, serverVersionNum, SessionSettings } from '../../src/protocols/pgwire/settings.ts';

describe('pgwire commands: tokenizer and splitter', () => {
  it('splits at top-level semicolons only', () => {
    const sql = "SELECT 'a;b', \"x;y\", $$c;d$$, $tag$e;$$;f$tag$, E'g\\';h' -- i;j\n; /* k; /* nested; */ l; */ SELECT 2;;  ; SELECT 3";
    assert.deepEqual(splitStatements(sql).map((s) => s.sql), [
      "SELECT 'a;b', \"x;y\", $$c;d$$, $tag$e;$$;f$tag$, E'g\\';h'",
      'SELECT 2',
      'SELECT 3',
    ]);
    assert.deepEqual(splitStatements('  -- only a comment\n'), []);
    assert.deepEqual(splitStatements('SELECT $1, $2'), [{ sql: 'SELECT $1, $2', offset: 0 }]);
    assert.equal(splitStatements('x; SELECT 1')[1]!.offset, 3);
  });

  it('reads strings, identifiers, numbers and operators', () => {
    const t = tokenize("SET x = -1.5e3; E'a\\nb' U&'c' \"Q\"\"d\" <> ~* =-2");
    assert.deepEqual(t.map((x) => [x.kind, x.value]), [
      ['word', 'set'], ['word', 'x'], ['op', '='], ['op', '-'], ['number', '1.5e3'], ['semicolon', ';'], ['string', 'a\nb'],
      ['string', 'c'], ['quoted', 'Q"d'], ['op', '<>'], ['op', '~*'], ['op', '='], ['op', '-'], ['number', '2'],
    ]);
    assert.throws(() => tokenize("SELECT 'open"), LexError);
    assert.throws(() => tokenize('SELECT /* open'), LexError);
    assert.throws(() => tokenize('SELECT $q$ open'), LexError);
  });
});

describe('pgwire commands: session commands', () => {
  const cases: [string, unknown][] = [
    ["SET TimeZone TO 'Europe/Paris'", { type: 'set', name: 'timezone', value: 'Europe/Paris', local: false }],
    ['set extra_float_digits = 3', { type: 'set', name: 'extra_float_digits', value: '3', local: false }],
    ['SET LOCAL statement_timeout = -1', { type: 'set', name: 'statement_timeout', value: '-1', local: true }],
    ['SET SESSION search_path TO a, "B", public', { type: 'set', name: 'search_path', value: 'a, "B", public', local: false }],
    ['SET TIME ZONE LOCAL', { type: 'set', name: 'timezone', value: null, local: false }],
    ["SET TIME ZONE 'UTC'", { type: 'set', name: 'timezone', value: 'UTC', local: false }],
    ['SET application_name = DEFAULT', { type: 'set', name: 'application_name', value: null, local: false }],
    ["SET SCHEMA 'acme'", { type: 'set', name: 'search_path', value: 'acme', local: false }],
    ["SET NAMES 'UTF8'", { type: 'set', name: 'client_encoding', value: 'UTF8', local: false }],
    ['SET my.custom.setting = on', { type: 'set', name: 'my.custom.setting', value: 'on', local: false }],
    ['SET SESSION AUTHORIZATION DEFAULT', { type: 'set', name: 'session_authorization', value: null, local: false }],
    ['SET ROLE NONE', { type: 'set', name: 'role', value: null, local: false }],
    ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', { type: 'set-transaction' }],
    ['SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED', { type: 'set-transaction' }],
    ['RESET ALL', { type: 'reset', name: null }],
    ['reset TimeZone', { type: 'reset', name: 'timezone' }],
    ['RESET TIME ZONE', { type: 'reset', name: 'timezone' }],
    ['SHOW ALL', { type: 'show', name: null }],
    ['show server_version', { type: 'show', name: 'server_version' }],
    ['SHOW TRANSACTION ISOLATION LEVEL', { type: 'show', name: 'transaction_isolation' }],
    ['SHOW TIME ZONE', { type: 'show', name: 'timezone' }],
    ['BEGIN', { type: 'begin', tag: 'BEGIN' }],
    ['begin transaction read only', { type: 'begin', tag: 'BEGIN' }],
    ['START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY', { type: 'begin', tag: 'START TRANSACTION' }],
    ['COMMIT', { type: 'commit' }],
    ['END WORK', { type: 'commit' }],
    ['COMMIT AND NO CHAIN', { type: 'commit' }],
    ['ROLLBACK', { type: 'rollback' }],
    ['ABORT', { type: 'rollback' }],
    ['ROLLBACK TO SAVEPOINT sp1', { type: 'rollback-to', name: 'sp1' }],
    ['ROLLBACK TO sp1', { type: 'rollback-to', name: 'sp1' }],
    ['SAVEPOINT "Sp"', { type: 'savepoint', name: 'Sp' }],
    ['RELEASE SAVEPOINT sp1', { type: 'release', name: 'sp1' }],
    ['DISCARD ALL', { type: 'discard', what: 'ALL' }],
    ['DISCARD TEMPORARY', { type: 'discard', what: 'TEMP' }],
    ['DEALLOCATE ALL', { type: 'deallocate', name: null }],
    ['DEALLOCATE PREPARE s1', { type: 'deallocate', name: 's1' }],
    ['DECLARE _psql_cursor NO SCROLL CURSOR FOR\nSELECT 1', { type: 'declare', name: '_psql_cursor', query: 'SELECT 1', binary: false, scroll: false, hold: false }],
    ['DECLARE "c" BINARY CURSOR WITH HOLD FOR select * from t', { type: 'declare', name: 'c', query: 'select * from t', binary: true, scroll: false, hold: true }],
    ['DECLARE c CURSOR WITHOUT HOLD FOR SELECT 1', { type: 'declare', name: 'c', query: 'SELECT 1', binary: false, scroll: false, hold: false }],
    ['FETCH FORWARD 100 FROM _psql_cursor', { type: 'fetch', name: '_psql_cursor', move: false, direction: { kind: 'forward', count: 100 } }],
    ['FETCH 5 c', { type: 'fetch', name: 'c', move: false, direction: { kind: 'forward', count: 5 } }],
    ['fetch all in "C"', { type: 'fetch', name: 'C', move: false, direction: { kind: 'forward', count: 'all' } }],
    ['FETCH c', { type: 'fetch', name: 'c', move: false, direction: { kind: 'forward', count: 1 } }],
    ['FETCH NEXT FROM c', { type: 'fetch', name: 'c', move: false, direction: { kind: 'forward', count: 1 } }],
    ['MOVE FORWARD ALL IN c', { type: 'fetch', name: 'c', move: true, direction: { kind: 'forward', count: 'all' } }],
    ['FETCH BACKWARD 2 FROM c', { type: 'fetch', name: 'c', move: false, direction: { kind: 'other', text: 'BACKWARD' } }],
    ['FETCH PRIOR FROM c', { type: 'fetch', name: 'c', move: false, direction: { kind: 'other', text: 'PRIOR' } }],
    ['CLOSE c', { type: 'close', name: 'c' }],
    ['CLOSE ALL', { type: 'close', name: null }],
    ['LISTEN ch', { type: 'noop', tag: 'LISTEN' }],
    ['UNLISTEN *', { type: 'noop', tag: 'UNLISTEN' }],
    ['COPY (SELECT 1) TO STDOUT', { type: 'copy-out', query: 'SELECT 1', format: 'text', header: false, delimiter: '\t', null: '\\N', quote: '"' }],
    ["COPY (SELECT (1)) TO STDOUT WITH (FORMAT csv, HEADER true, DELIMITER ';')", { type: 'copy-out', query: 'SELECT (1)', format: 'csv', header: true, delimiter: ';', null: '', quote: '"' }],
    ['COPY acme.processes (id, "Name") TO STDOUT CSV HEADER', { type: 'copy-out', query: 'SELECT id, "Name" FROM acme.processes', format: 'csv', header: true, delimiter: ',', null: '', quote: '"' }],
  ];

  it('recognizes the utility statements a session answers', () => {
    for (const [sql, want] of cases) assert.deepEqual(parseSessionCommand(sql), want, sql);
    assert.deepEqual(parseSessionCommand('BEGIN;'), { type: 'begin', tag: 'BEGIN' }, 'a trailing semicolon is fine');
  });

  it('leaves everything else to the backend', () => {
    for (const sql of [
      'SELECT 1', 'WITH x AS (SELECT 1) SELECT * FROM x', 'SET', 'SET x', 'SHOW', 'BEGIN; SELECT 1', 'COPY t FROM STDIN',
      'COPY (SELECT 1) TO \'/tmp/x\'', 'DECLARE c CURSOR', 'FETCH', 'EXPLAIN SELECT 1', 'VALUES (1)', 'CREATE TABLE x (a int)',
      'DISCARD', 'COPY (SELECT 1) TO STDOUT BINARY', 'SET TIME ZONE INTERVAL \'+02:00\' HOUR TO MINUTE',
    ]) {
      assert.equal(parseSessionCommand(sql), undefined, sql);
    }
  });

  it('reads the options startup parameter', () => {
    assert.deepEqual(parseOptions('-c search_path=acme -c statement_timeout=5s'), [['search_path', 'acme'], ['statement_timeout', '5s']]);
    assert.deepEqual(parseOptions('-csearch_path=a\\ b --geqo=off'), [['search_path', 'a b'], ['geqo', 'off']]);
    assert.deepEqual(parseOptions('--application-name=x'), [['application_name', 'x']]);
    assert.throws(() => parseOptions('-d 5'), /unsupported startup option/);
  });
});

describe('pgwire settings', () => {
  it('normalizes, validates and reports settings', () => {
    const s = new SessionSettings({ user: 'alice', serverVersion: '15.18', timeZone: 'UTC' });
    assert.equal(s.get('server_version_num'), '150018');
    assert.equal(s.check('datestyle', 'ISO').value, 'ISO, MDY');
    assert.equal(s.check('DateStyle', 'European').value, 'ISO, DMY');
    assert.equal(s.check('timezone', 'europe/paris').value, 'Europe/Paris');
    assert.equal(s.check('statement_timeout', '5000').value, '5s');
    assert.equal(s.check('statement_timeout', '1.5s').value, '1500ms');
    assert.equal(s.check('idle_session_timeout', '2min').value, '2min');
    assert.equal(s.check('application_name', 'x').reported, true);
    assert.equal(s.check('search_path', 'x').reported, false);
    assert.throws(() => s.check('extra_float_digits', '4'), /outside the valid range/);
    assert.throws(() => s.check('server_version', '9'), /cannot be changed/);
    assert.throws(() => s.check('bytea_output', 'base64'), /invalid value for parameter "bytea_output"/);
    assert.throws(() => s.check('statement_timeout', 'soon'), /invalid value for parameter "statement_timeout"/);
    s.apply(s.check('TimeZone', 'Asia/Kolkata'));
    assert.equal(s.formatContext().timeZone.name, 'Asia/Kolkata');
    assert.deepEqual(s.show('TIMEZONE'), { name: 'TimeZone', value: 'Asia/Kolkata' });
    assert.deepEqual(s.resetAll().map((c) => [c.name, c.value]), [['TimeZone', 'UTC']]);
  });

  it('formats durations and version numbers as PostgreSQL shows them', () => {
    assert.equal(formatDurationMs(0), '0');
    assert.equal(formatDurationMs(90_000), '90s');
    assert.equal(formatDurationMs(3_600_000), '1h');
    assert.equal(formatDurationMs(1500), '1500ms');
    assert.equal(parseDurationMs('x', '1d'), 86_400_000);
    assert.equal(serverVersionNum('15.18'), '150018');
    assert.equal(serverVersionNum('9.6.24'), '90624');
    assert.equal(serverVersionNum('16.4 (Runlake)'), '160004');
  });
});
