/**
 * Secrets that must never reach logs, results or summaries, and a way to scrub them from text that
 * comes back from a server (a debugging proxy or a misconfigured gateway may echo a request).
 */
export interface SecretRedactor {
  /** Remember a secret (client secret, bearer token). Too-short values are ignored: scrubbing them would mangle text. */
  add(secret: string): void;
  /** The text with every known secret, raw or URL-encoded, replaced by `[redacted]`. */
  redact(text: string): string;
}

const MIN_SECRET_LENGTH = 6;

/** An empty redactor; the token provider adds the client secret and every token it gets. */
export function createSecretRedactor(): SecretRedactor {
  const forms = new Set<string>();
  return {
    add(secret) {
      if (secret.length < MIN_SECRET_LENGTH) return;
      const encoded = encodeURIComponent(secret);
      const lowerEscapes = encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
      for (const form of [secret, encoded, encoded.replace(/%20/g, '+'), lowerEscapes]) forms.add(form);
    },
    redact(text) {
      let result = text;
      for (const form of forms) if (result.includes(form)) result = result.split(form).join('[redacted]');
      return result;
    },
  };
}
