// A query parameter that is (or may be read as) the token: "token", any case, with or without "[...]" after it.
const TOKEN_NAME = /^token(\[.*)?$/i;

/**
 * A request URL as the log shows it: the value of every query parameter
 * whose name, once percent-decoded, reads as `token` is replaced with
 * `[redacted]`. Names are decoded as the token check's query parser decodes
 * them (`?%74oken=` is `token`), and parameters are split on `;` as well as
 * `&` (`?x=1;token=`), so no spelling of the token reaches the log.
 *
 * @example
 * redactUrl('/ws?%74oken=s3cret&a=1'); // '/ws?%74oken=[redacted]&a=1'
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split(/([&;])/)
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      return TOKEN_NAME.test(decoded(name)) ? `${name}=[redacted]` : part;
    })
    .join('');
  return `${url.slice(0, q + 1)}${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}

function decoded(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).trim();
  } catch {
    // A malformed escape: decode what can be ("%74oken%" still reads as token).
    return name.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))).trim();
  }
}
