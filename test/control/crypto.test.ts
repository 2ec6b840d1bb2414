import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config.ts';
import { hashPassword, needsRehash, verifyPassword } from '../../src/control/crypto/passwords.ts';
import {
  authMessage,
  checkClientFinal,
  clientProof,
  createScramVerifier,
  parseClientFinalMessage,
  parseClientFirstMessage,
  parseScramVerifier,
  saslPrep,
  ScramProtocolError,
  scramVerifierMatches,
  serverFirstMessage,
  serverSignature,
  verifyClientProof,
} from '../../src/control/crypto/scram.ts';
import { loadMasterKey, MASTER_KEY_FILE, parseMasterKey, SecretBox, SecretDecryptError } from '../../src/control/crypto/secrets.ts';
import { tempDir } from './helpers.ts';

describe('SecretBox (AES-256-GCM under the master key)', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));

  it('round-trips a secret, with a fresh IV each time', () => {
    const a = box.encrypt('hl2WUdrjHMd5ehaJBfgWLHQr94LEqzYgOipqyB0g', 'RLAKAAAAAAAAAAAAAAAA');
    const b = box.encrypt('hl2WUdrjHMd5ehaJBfgWLHQr94LEqzYgOipqyB0g', 'RLAKAAAAAAAAAAAAAAAA');
    assert.notEqual(a, b);
    assert.match(a, /^v1:[0-9a-f]{16}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    assert.ok(!a.includes('hl2WUdrj'));
    assert.equal(box.decrypt(a, 'RLAKAAAAAAAAAAAAAAAA'), 'hl2WUdrjHMd5ehaJBfgWLHQr94LEqzYgOipqyB0g');
    assert.equal(box.decrypt(box.encrypt('ünïcødé ✓'), ''), 'ünïcødé ✓');
  });

  it('refuses, with a clear error, a secret sealed under another master key', () => {
    const other = new SecretBox(Buffer.alloc(32, 8));
    const sealed = other.encrypt('secret', 'ctx');
    assert.throws(
      () => box.decrypt(sealed, 'ctx'),
      (e: unknown) =>
        e instanceof SecretDecryptError &&
        e.message.includes(other.keyId) &&
        e.message.includes(box.keyId) &&
        /original key/.test(e.message),
    );
  });

  it('refuses a ciphertext moved to another record or altered', () => {
    const sealed = box.encrypt('secret', 'RLAKAAAAAAAAAAAAAAAA');
    assert.throws(() => box.decrypt(sealed, 'RLAKBBBBBBBBBBBBBBBB'), (e: unknown) => e instanceof SecretDecryptError && /integrity/.test(e.message));
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    const tampered = [...parts.slice(0, 3), body.toString('base64url')].join(':');
    assert.throws(() => box.decrypt(tampered, 'RLAKAAAAAAAAAAAAAAAA'), SecretDecryptError);
    assert.throws(() => box.decrypt('garbage', ''), SecretDecryptError);
    assert.throws(() => box.decrypt(`v1:${box.keyId}:AAAA:AAAA`, ''), SecretDecryptError);
  });

  it('derives a key id that does not reveal the key', () => {
    assert.match(box.keyId, /^[0-9a-f]{16}$/);
    assert.ok(!Buffer.alloc(32, 7).toString('hex').includes(box.keyId));
    assert.notEqual(new SecretBox(Buffer.alloc(32, 8)).keyId, box.keyId);
  });
});

describe('master key', () => {
  it('is generated once into <data-dir>/master.key with mode 0600, then reused', () => {
    const dir = join(tempDir(), 'fresh');
    const k1 = loadMasterKey({ dataDir: dir });
    const path = join(dir, MASTER_KEY_FILE);
    assert.equal(k1.length, 32);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(readFileSync(path, 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.deepEqual(loadMasterKey({ dataDir: dir }), k1);
    assert.deepEqual(SecretBox.load({ dataDir: dir }).keyId, new SecretBox(k1).keyId);
  });

  it('tightens a key file that others can read', () => {
    const dir = tempDir();
    const path = join(dir, MASTER_KEY_FILE);
    writeFileSync(path, 'ab'.repeat(32));
    chmodSync(path, 0o644);
    assert.deepEqual(loadMasterKey({ dataDir: dir }), Buffer.alloc(32, 0xab));
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('takes a configured key, as hex or base64, over the file (and writes no file)', () => {
    const dir = tempDir();
    const raw = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
    assert.deepEqual(loadMasterKey({ dataDir: dir, masterKey: raw.toString('hex') }), raw);
    assert.deepEqual(loadMasterKey({ dataDir: dir, masterKey: raw.toString('base64') }), raw);
    assert.deepEqual(loadMasterKey({ dataDir: dir, masterKey: raw.toString('base64url') }), raw);
    assert.deepEqual(loadMasterKey({ dataDir: dir, masterKey: ` ${raw.toString('hex').toUpperCase()}\n` }), raw);
    assert.equal(existsSync(join(dir, MASTER_KEY_FILE)), false);
  });

  it('refuses a configured key that is not 32 bytes, saying how to make one', () => {
    for (const bad of ['abc', 'ab'.repeat(31), Buffer.alloc(31).toString('base64'), 'not a key at all!!!']) {
      assert.throws(
        () => parseMasterKey(bad, 'masterKey'),
        (e: unknown) => e instanceof ConfigError && /32 random bytes/.test(e.message) && /openssl rand -hex 32/.test(e.message),
      );
    }
  });
});

describe('SCRAM-SHA-256', () => {
  // RFC 7677 section 3: user "user", password "pencil".
  const rfc = {
    clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
    serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  };
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const verifier = parseScramVerifier(createScramVerifier('pencil', { salt, iterations: 4096 }));

  it('reproduces the RFC 7677 exchange from a stored verifier', () => {
    const first = parseClientFirstMessage(rfc.clientFirst);
    assert.deepEqual(first, { gs2Header: 'n,,', username: 'user', clientNonce: 'rOprNGfwEbeRWgbNEkqO', clientFirstBare: 'n=user,r=rOprNGfwEbeRWgbNEkqO' });
    const serverFirst = serverFirstMessage(first.clientNonce, rfc.serverNonce, verifier);
    assert.equal(serverFirst, rfc.serverFirst);
    assert.deepEqual(checkClientFinal(verifier, first, serverFirst, rfc.clientFinal), { ok: true, serverFinal: rfc.serverFinal });

    const final = parseClientFinalMessage(rfc.clientFinal);
    const msg = authMessage(first.clientFirstBare, serverFirst, final.withoutProof);
    assert.equal(msg, `n=user,r=rOprNGfwEbeRWgbNEkqO,${rfc.serverFirst},c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0`);
    assert.equal(clientProof('pencil', salt, 4096, msg).toString('base64'), 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    assert.equal(verifyClientProof(verifier, msg, final.proof), true);
    assert.equal(`v=${serverSignature(verifier, msg).toString('base64')}`, rfc.serverFinal);
  });

  it('denies a wrong password, a tampered proof, a changed nonce or a changed channel binding', () => {
    const first = parseClientFirstMessage(rfc.clientFirst);
    const wrong = parseScramVerifier(createScramVerifier('pencil2', { salt, iterations: 4096 }));
    assert.equal(checkClientFinal(wrong, first, rfc.serverFirst, rfc.clientFinal).ok, false);
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    proof[5]! ^= 0x40;
    const tampered = rfc.clientFinal.replace(/p=.*$/, `p=${proof.toString('base64')}`);
    assert.deepEqual(checkClientFinal(verifier, first, rfc.serverFirst, tampered), { ok: false, reason: 'wrong password' });
    assert.equal(checkClientFinal(verifier, first, rfc.serverFirst, rfc.clientFinal.replace('k0,p=', 'k1,p=')).ok, false);
    assert.equal(checkClientFinal(verifier, first, rfc.serverFirst, rfc.clientFinal.replace('c=biws', 'c=eSws')).ok, false);
    assert.equal(checkClientFinal(verifier, first, rfc.serverFirst, 'c=biws,r=x').ok, false);
    assert.equal(verifyClientProof(verifier, 'msg', Buffer.alloc(5)), false);
  });

  it('writes and reads the PostgreSQL verifier format, matching a verifier PostgreSQL 15 made', () => {
    // `CREATE ROLE alice PASSWORD 'pencil'; SELECT rolpassword FROM pg_authid` on PostgreSQL 15.18.
    const fromPostgres =
      'SCRAM-SHA-256$4096:ap+MrNLwUk96+doffeejmg==$eT5bcXs9pjT+9lTJd064XZ93YujRgdGGvg9J5Sn4gAw=:0S0wlQ1l8t5Lio2JHiP597XrP9rJaic5pP1hwy7jKSQ=';
    const parsed = parseScramVerifier(fromPostgres);
    assert.equal(createScramVerifier('pencil', { salt: parsed.salt, iterations: parsed.iterations }), fromPostgres);
    assert.equal(scramVerifierMatches(parsed, 'pencil'), true);
    assert.equal(scramVerifierMatches(parsed, 'Pencil'), false);

    const fresh = createScramVerifier('hl2WUdrjHMd5ehaJBfgWLHQr94LEqzYgOipqyB0g');
    assert.match(fresh, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(createScramVerifier('same'), createScramVerifier('same'), 'random salt');
    assert.throws(() => parseScramVerifier('md5abc'));
  });

  it('parses client messages strictly', () => {
    assert.equal(parseClientFirstMessage('n,,n=,r=abc').username, '');
    assert.equal(parseClientFirstMessage('y,,n=a=2Cb=3Dc,r=abc').username, 'a,b=c');
    assert.throws(() => parseClientFirstMessage('p=tls-server-end-point,,n=,r=abc'), ScramProtocolError);
    assert.throws(() => parseClientFirstMessage('n,,n=user'), ScramProtocolError);
    assert.throws(() => parseClientFirstMessage('x,,n=user,r=abc'), ScramProtocolError);
    assert.throws(() => parseClientFinalMessage('c=biws,r=abc'), ScramProtocolError);
  });

  it('applies SASLprep to passwords (RFC 4013 examples), leaving ASCII alone', () => {
    assert.equal(saslPrep('I\u00ADX'), 'IX');
    assert.equal(saslPrep('\u00AA'), 'a');
    assert.equal(saslPrep('\u2168'), 'IX');
    assert.equal(saslPrep('a\u00A0b'), 'a b');
    assert.equal(saslPrep('user'), 'user');
    assert.equal(saslPrep('\u0007'), '\u0007', 'prohibited: used as is, like PostgreSQL');
  });
});

describe('scrypt console passwords', () => {
  it('hashes with a random salt and parameters, and verifies only the right password', async () => {
    const h1 = await hashPassword('correct horse');
    const h2 = await hashPassword('correct horse');
    assert.match(h1, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(h1, h2);
    assert.equal(await verifyPassword('correct horse', h1), true);
    assert.equal(await verifyPassword('correct horse', h2), true);
    assert.equal(await verifyPassword('correct hors', h1), false);
    assert.equal(await verifyPassword('', h1), false);
    assert.equal(await verifyPassword('correct horse', 'garbage'), false);
    assert.equal(await verifyPassword('correct horse', h1.replace('ln=15', 'ln=40')), false, 'absurd cost refused');
    assert.equal(needsRehash(h1), false);
    assert.equal(needsRehash(await hashPassword('x', { ln: 12, r: 8, p: 1 })), true);
  });
});
