/**
 * Request members checked against the API model's constraints (types, lengths, ranges, patterns),
 * answered the way AWS services word it: `1 validation error detected: Value '2000' at
 * 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
 * as an InvalidRequestException (INVALID_INPUT). Unknown members are ignored, as the SDKs expect.
 */
import { invalidRequest, type AthenaApiError } from './errors.ts';

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
}

export class Input {
  constructor(
    private readonly body: Record<string, unknown>,
    /** Where this object sits in the request (`resultConfiguration.`), for messages. */
    private readonly path = '',
  ) {}

  string(name: string, rule: StringRule & { required: true }): string;
  string(name: string, rule?: StringRule): string | undefined;
  string(name: string, rule: StringRule = {}): string | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) {
      if (rule.required) throw this.invalid(name, 'null', 'Member must not be null');
      return undefined;
    }
    if (typeof v !== 'string') throw this.invalid(name, JSON.stringify(v), 'Member must be a string');
    if (rule.min !== undefined && v.length < rule.min) throw this.invalid(name, v, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v.length > rule.max) throw this.invalid(name, clip(v), `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(v)) throw this.invalid(name, clip(v), `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    return v;
  }

  integer(name: string, rule: { min?: number; max?: number } = {}): number | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw this.invalid(name, JSON.stringify(v), 'Member must be an integer');
    if (rule.min !== undefined && v < rule.min) throw this.invalid(name, String(v), `Member must have value greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v > rule.max) throw this.invalid(name, String(v), `Member must have value less than or equal to ${rule.max}`);
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw this.invalid(name, JSON.stringify(v), 'Member must be a boolean');
    return v;
  }

  stringList(name: string, rule: { required?: boolean; min?: number; max?: number; item?: StringRule } = {}): string[] | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) {
      if (rule.required) throw this.invalid(name, 'null', 'Member must not be null');
      return undefined;
    }
    if (!Array.isArray(v)) throw this.invalid(name, JSON.stringify(v), 'Member must be a list');
    if (rule.min !== undefined && v.length < rule.min) throw this.invalid(name, `[${v.length} items]`, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v.length > rule.max) throw this.invalid(name, `[${v.length} items]`, `Member must have length less than or equal to ${rule.max}`);
    const items = new Input(Object.fromEntries(v.map((x, i) => [String(i), x])) as Record<string, unknown>, `${this.path}${lowerFirst(name)}.`);
    return v.map((_, i) => items.string(String(i), { ...rule.item, required: true }));
  }

  object(name: string): Input | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw this.invalid(name, JSON.stringify(v), 'Member must be a structure');
    return new Input(v as Record<string, unknown>, `${this.path}${lowerFirst(name)}.`);
  }

  private invalid(name: string, value: string, constraint: string): AthenaApiError {
    return invalidRequest(`1 validation error detected: Value '${value}' at '${this.path}${lowerFirst(name)}' failed to satisfy constraint: ${constraint}`);
  }
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Model patterns used by several operations. */
export const WORK_GROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;
export const QUERY_EXECUTION_ID = { min: 1, max: 128, pattern: /^\S+$/ } as const;
export const TOKEN = { min: 1, max: 1024 } as const;
