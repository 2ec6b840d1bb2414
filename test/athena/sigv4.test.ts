/**
 * SigV4 verification against AWS's published vectors: the Signature Version 4 test suite
 * (get-vanilla, post-vanilla, get-vanilla-query-order-key-case; credentials AKIDEXAMPLE, service
 * "service", 20150830T123600Z) and the S3 GetObject example of the S3 API reference
 * (examplebucket, Range bytes=0-9). Then what a tampered request, a wrong secret and malformed
 * headers do.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EMPTY_SHA256,
  SigV4FormatError,
  computeSignature,
  parseAuthorizationHeader,
  parsePresignedQuery,
  signatureMatches,
  type WireRequest,
} from '../../src/protocols/athena/sigv4.ts';

const SUITE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SUITE_HEADER = (signature: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`;
const suiteRequest = (method: string, rawQuery = ''): WireRequest => ({
  method, rawPath: '/', rawQuery, headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
});

describe('SigV4 against the AWS test vectors', () => {
  const vectors = [
    { name: 'get-vanilla', req: suiteRequest('GET'), signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
    { name: 'post-vanilla', req: suiteRequest('POST'), signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
    {
      name: 'get-vanilla-query-order-key-case',
      req: suiteRequest('GET', 'Param2=value2&Param1=value1'),
      signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    },
  ];
  for (const v of vectors) {
    it(`${v.name}: computes and accepts the published signature`, () => {
      const claim = parseAuthorizationHeader(SUITE_HEADER(v.signature), '20150830T123600Z');
      assert.equal(computeSignature(SUITE_SECRET, claim, v.req, { s3: false, payloadHash: EMPTY_SHA256 }), v.signature);
      assert.equal(signatureMatches(SUITE_SECRET, claim, v.req, { s3: false, payloadHash: EMPTY_SHA256 }), true);
    });
  }

  it('S3 GetObject example (path signed as sent, Range and x-amz-content-sha256 signed)', () => {
    const signature = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
    const claim = parseAuthorizationHeader(
      `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=${signature}`,
      '20130524T000000Z',
    );
    const req: WireRequest = {
      method: 'GET', rawPath: '/test.txt', rawQuery: '',
      headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z' },
    };
    assert.equal(computeSignature('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', claim, req, { s3: true, payloadHash: EMPTY_SHA256 }), signature);
  });

  it('refuses a wrong secret, a changed header, method, query or body', () => {
    const signature = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
    const claim = parseAuthorizationHeader(SUITE_HEADER(signature), '20150830T123600Z');
    const opts = { s3: false, payloadHash: EMPTY_SHA256 };
    const good = suiteRequest('GET');
    assert.equal(signatureMatches(SUITE_SECRET, claim, good, opts), true);
    assert.equal(signatureMatches('wrong-secret', claim, good, opts), false);
    assert.equal(signatureMatches(SUITE_SECRET, claim, { ...good, headers: { ...good.headers, host: 'evil.example.com' } }, opts), false);
    assert.equal(signatureMatches(SUITE_SECRET, claim, { ...good, method: 'DELETE' }, opts), false);
    assert.equal(signatureMatches(SUITE_SECRET, claim, { ...good, rawQuery: 'a=1' }, opts), false);
    assert.equal(signatureMatches(SUITE_SECRET, claim, good, { s3: false, payloadHash: 'a'.repeat(64) }), false);
  });

  it('parses presigned URLs and rejects malformed authorization', () => {
    const q =
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20150830T123600Z' +
      `&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${'a'.repeat(64)}`;
    const claim = parsePresignedQuery(q)!;
    assert.deepEqual([claim.accessKeyId, claim.region, claim.service, claim.expiresSeconds], ['AKIDEXAMPLE', 'us-east-1', 's3', 60]);
    assert.equal(parsePresignedQuery('list-type=2'), undefined);

    assert.throws(() => parseAuthorizationHeader('Basic abc', '20150830T123600Z'), SigV4FormatError);
    assert.throws(() => parseAuthorizationHeader('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request', '20150830T123600Z'), /requires 'SignedHeaders', 'Signature' parameters/);
    assert.throws(() => parseAuthorizationHeader(SUITE_HEADER('a'.repeat(64)), undefined), /X-Amz-Date/);
    assert.throws(() => parseAuthorizationHeader(SUITE_HEADER('a'.repeat(64)).replace('aws4_request', 'x'), '20150830T123600Z'), /Credential should be scoped/);
  });
});
