/**
 * Where to send the browser after login or logout. Only a path on this app, or a URL on an
 * allow-listed origin, is followed; anything else (`//evil.com`, `/\evil.com`, `https:evil.com`,
 * `javascript:`, userinfo tricks, control characters) falls back to the default.
 */
export function safeReturnTo(value: unknown, allowedOrigins: ReadonlySet<string>, fallback: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 2048) return fallback;
  // Browsers strip tabs and newlines inside URLs, which turns "/\t/evil.com" into "//evil.com".
  if (/[\u0000-\u001f\u007f\\]/u.test(value)) return fallback;
  const base = 'http://gatehouse.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.username !== '' || url.password !== '') return fallback;
  if (url.origin === base) {
    // Relative: it must have been a plain path; "//host" or "https:host" resolve elsewhere and never reach here.
    if (!value.startsWith('/') || value.startsWith('//')) return fallback;
    return url.pathname + url.search + url.hash;
  }
  if ((url.protocol === 'https:' || url.protocol === 'http:') && allowedOrigins.has(url.origin)) return url.href;
  return fallback;
}
