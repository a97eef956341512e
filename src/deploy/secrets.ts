// Masking for everything a deploy prints or throws: bearer tokens, account keys, SAS signatures and
// function keys never reach the terminal, an error message or --verbose output. Two layers: values the
// deploy knows are secret (the token it fetched, the key it read) are replaced wherever they appear, and
// secret-shaped substrings (sig=…, AccountKey=…, Bearer …) are masked even when their value was never seen.
export const MASK = '***';

const PATTERNS: Array<[RegExp, string]> = [
  // SAS query parameters: the signature is the secret; keep the rest readable (sv, se, sp, sr).
  [/([?&](?:sig|signature)=)[^&\s"']+/gi, `$1${MASK}`],
  // Connection strings: AccountKey=…; SharedAccessSignature=…; SharedAccessKey=…
  [/((?:AccountKey|SharedAccessSignature|SharedAccessKey)=)[^;\s"']+/gi, `$1${MASK}`],
  // Authorization headers and anything shaped like one.
  [/(\bBearer\s+)[A-Za-z0-9\-._~+/]+=*/g, `$1${MASK}`],
  [/(\bBasic\s+)[A-Za-z0-9+/]+=*/g, `$1${MASK}`],
  // Function keys in URLs or headers.
  [/([?&]code=)[^&\s"']+/gi, `$1${MASK}`],
  [/(x-functions-key["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi, `$1${MASK}`],
];

/** Masks secret-shaped substrings (no knowledge of actual values needed). */
export function maskPatterns(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Collects secret values seen during a deploy and masks them (and secret-shaped text) in any string. */
export class Redactor {
  private readonly values = new Set<string>();

  /** Registers a secret value; short values are ignored (masking "a" would mangle every message). */
  add(value: string | undefined | null): void {
    if (value && value.length >= 8) this.values.add(value);
  }

  mask(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(MASK);
    return maskPatterns(out);
  }
}

/** A URL without its query string, for messages about SAS URLs (the path is enough to say which blob). */
export function withoutQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : `${url.slice(0, i)}?${MASK}`;
}
