/**
 * A decimal's text from its scaled integer, as DuckDB's node-api prints it (sign, whole part,
 * '.', the fraction zero-padded to the scale; no point at scale 0). Shared by the engine (row
 * values) and encoders that read decimal vectors, so both produce the same text.
 */

/** `scaled` a safe integer; `factor` = 10 ** scale. */
export function decimalText(scaled: number, scale: number, factor: number): string {
  if (scale === 0) return String(scaled);
  const a = scaled < 0 ? -scaled : scaled;
  const frac = a % factor; // exact for safe integers, as is the division of the difference
  return `${scaled < 0 ? '-' : ''}${(a - frac) / factor}.${String(frac).padStart(scale, '0')}`;
}

export function decimalTextBig(scaled: bigint, scale: number): string {
  if (scale === 0) return String(scaled);
  const factor = 10n ** BigInt(scale);
  const a = scaled < 0n ? -scaled : scaled;
  return `${scaled < 0n ? '-' : ''}${a / factor}.${String(a % factor).padStart(scale, '0')}`;
}
