/** The opening line of a PEM private key: RSA, EC, DSA, OpenSSH, PGP, PKCS#8 (plain or encrypted). */
export const PRIVATE_KEY_HEADER = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY)( BLOCK)?-----/;

/** The base64 body of a PEM private key whose header is on line `at`, when it has real content (not `MII…`, `xxxx`). */
export function privateKeyBody(lines: readonly string[], at: number): string | undefined {
  let body = '';
  // A key that ends on its own line (a PEM in one JSON string) has no body on the lines after it.
  const endsHere = /-----END /.test(lines[at]!);
  for (let j = at + 1; !endsHere && j < Math.min(lines.length, at + 200); j++) {
    const l = lines[j]!.replace(/^[\s"'`>|#/*-]*?(?=[A-Za-z0-9+/=])/, '').replace(/\\n/g, '').trim();
    if (/-----END /.test(lines[j]!)) break;
    if (/^[A-Za-z]+-?[A-Za-z]*:/.test(l)) continue; // Proc-Type / DEK-Info headers
    body += l.replace(/[^A-Za-z0-9+/=]/g, '');
  }
  // Same-line PEM in a JSON string: -----BEGIN …-----\nMIIE…\n-----END …-----
  if (body.length === 0) {
    const inline = /-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\n|\s)+([A-Za-z0-9+/=\\n\s]{40,}?)(?:\\n|\s)*-----END/.exec(lines[at]!);
    if (inline) body = inline[1]!.replace(/\\n|\s/g, '');
  }
  if (body.length < 64 || /^(.)\1+$/.test(body.replace(/=+$/, '')) || /^(x|X|\.|A)+$/.test(body)) return undefined;
  return body;
}
