/**
 * Turning git's stderr into messages safe to show: credentials redacted, only the last lines kept,
 * and the failure classified so callers get a stable error code instead of parsing text.
 */

// Userinfo in scheme URLs (`https://user:token@host`). SSH user names are not secrets but a
// token-as-username (`https://ghp_x@github.com`) is, so every userinfo goes.
const urlUserinfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;

/** Replaces URL userinfo and every given secret in `text` with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(urlUserinfo, '$1***@');
  // Longest first, so a secret containing another is not left half-redacted.
  const sorted = secrets
    .filter((s): s is string => s !== undefined && s.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join('***');
  return out;
}

/** The last `max` non-empty lines of `text`, each cut to 300 characters. */
export function tailLines(text: string, max = 5): string {
  const lines = text
    .split(/\r?\n|\r/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  return lines
    .slice(-max)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
    .join('\n');
}

// What git, its HTTP transport and OpenSSH print when the server refuses who we are, or when we
// refuse the server (an unknown or changed host key is a credentials problem for the user too).
const authPatterns = [
  /authentication failed/i,
  /could not read (username|password)/i,
  /terminal prompts disabled/i,
  /returned error: 40[13]\b/i,
  /permission denied \(/i,
  /host key verification failed/i,
  /no (rsa|ed25519|ecdsa)? ?host key is known/i,
  /invalid (username|credentials)/i,
  /access denied/i,
];

/** Whether git's stderr says the credentials (or the host key) were refused. */
export function isAuthFailure(stderr: string): boolean {
  return authPatterns.some((p) => p.test(stderr));
}
