/**
 * A bounded map that forgets its least recently used entry: the memo of work that depends only
 * on its key (parses, translations, guard verdicts by SQL text). Callers treat values as read-only.
 */
export class Lru<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The remembered value, or `make(key)` remembered (a throw remembers nothing). */
  getOrMake(key: K, make: (key: K) => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = make(key);
    this.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
