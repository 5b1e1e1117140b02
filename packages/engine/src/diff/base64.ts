const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function sextet(n: number): string {
  return alphabet.charAt(n & 63);
}

/**
 * Standard base64 of a string's UTF-8 bytes, as Kubernetes stores Secret `stringData` in `data`.
 * Written out because the engine is pure and must not lean on Node's Buffer.
 */
export function encodeBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    out += sextet(n >> 18) + sextet(n >> 12);
    out += i + 1 < bytes.length ? sextet(n >> 6) : '=';
    out += i + 2 < bytes.length ? sextet(n) : '=';
  }
  return out;
}
