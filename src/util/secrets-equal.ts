/**
 * Compares a secret a client sent with the expected one in constant time, whatever their
 * lengths (both are hashed first, so the comparison never short-cuts on a length mismatch).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
