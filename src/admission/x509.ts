/**
 * X.509 certificates made with node:crypto alone: a self-signed CA and a serving certificate it signs,
 * for the webhook's TLS. Node can parse and verify certificates (`X509Certificate`) but not write
 * them, so the DER below is encoded by hand (RFC 5280 profile, ECDSA P-256 with SHA-256). Written here
 * rather than taken from a package: the subset needed is small (about a dozen ASN.1 shapes), and a
 * dependency for it would pull an ASN.1 framework into the runtime. The output is checked in the tests
 * by Node's parser, by OpenSSL (`openssl verify`) and by a real TLS handshake.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

// ── DER (ITU-T X.690) ─────────────────────────────────────────────────────────────────────────────

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octetString = (content: Buffer): Buffer => tlv(0x04, content);
const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const booleanTrue = (): Buffer => tlv(0x01, Buffer.from([0xff]));
/** Context-specific, constructed: `[n] EXPLICIT`. */
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);

/** A non-negative INTEGER from big-endian bytes (a leading zero keeps it positive). */
function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

const smallInteger = (n: number): Buffer => unsignedInteger(Buffer.from([n]));

/** BIT STRING with a count of unused trailing bits. */
const bitString = (content: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));

function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * (arcs[0] ?? 0) + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const base128: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) base128.unshift((n & 0x7f) | 0x80);
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2025-01-31T12:34:56.789Z
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

// ── Certificate pieces (RFC 5280) ──────────────────────────────────────────────────────────────────

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

function name(commonName: string, organization?: string): Buffer {
  const rdns = [set(sequence(objectIdentifier(OID.commonName), utf8String(commonName)))];
  if (organization !== undefined) rdns.unshift(set(sequence(objectIdentifier(OID.organization), utf8String(organization))));
  return sequence(...rdns);
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), booleanTrue(), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

/** The key identifier of RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): Buffer {
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE, subjectPublicKey BIT STRING }; for an
  // uncompressed P-256 point the BIT STRING is the last 66 bytes: tag, length 0x42, 0 unused bits, 65 bytes.
  const publicKeyBits = spki.subarray(spki.length - 65);
  return createHash('sha1').update(publicKeyBits).digest();
}

function subjectAltNames(names: readonly string[]): Buffer {
  const entries = names.map((n) => {
    const family = isIP(n);
    if (family === 4) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
    if (family === 6) return tlv(0x87, ipv6Bytes(n));
    return tlv(0x82, Buffer.from(n, 'ascii'));
  });
  return sequence(...entries);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = groups(head);
  const back = address.includes('::') ? groups(tail) : [];
  const middle = new Array<number>(8 - front.length - back.length).fill(0);
  const all = [...front, ...middle, ...back];
  return Buffer.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

interface CertificateSpec {
  readonly subject: Buffer;
  readonly issuer: Buffer;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly authorityKeyId: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Buffer[];
}

function certificate(spec: CertificateSpec): { der: Buffer; subjectKeyId: Buffer } {
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const subjectKeyId = keyIdentifier(spki);
  // A positive 128-bit serial (RFC 5280 §4.1.2.2 allows up to 20 octets).
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    algorithm,
    spec.issuer,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spki,
    explicit(
      3,
      sequence(
        ...spec.extensions,
        extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)),
        extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, spec.authorityKeyId))),
      ),
    ),
  );
  // ECDSA signatures come out of node:crypto DER-encoded (Ecdsa-Sig-Value), as X.509 wants them.
  const signature = sign('sha256', tbs, spec.signingKey);
  return { der: sequence(tbs, algorithm, bitString(signature)), subjectKeyId };
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// ── Public API ─────────────────────────────────────────────────────────────────────────────────────

export interface ServingCertificateOptions {
  /** Subject alternative names of the serving certificate: DNS names and IP addresses. The first is its CN. */
  readonly hosts: readonly string[];
  /** Days both certificates are valid (default 730). */
  readonly days?: number;
  /** Common name of the CA (default "vigil-admission-ca"). */
  readonly caName?: string;
  /** Start of validity (default now minus 5 minutes, to absorb clock skew between nodes). */
  readonly now?: Date;
}

/** PEM text of a CA certificate, and of a serving certificate and its private key signed by that CA. */
export interface ServingCertificate {
  readonly caCert: string;
  readonly cert: string;
  /** PKCS#8 PEM. */
  readonly key: string;
  readonly notAfter: Date;
}

/**
 * A fresh self-signed CA (ECDSA P-256) and a serving certificate for `hosts` signed by it. The CA's
 * private key is discarded once the serving certificate is signed: nothing else can ever be signed
 * with it, and renewal makes a new pair.
 */
export function createServingCertificate(options: ServingCertificateOptions): ServingCertificate {
  const hosts = options.hosts;
  const first = hosts[0];
  if (first === undefined) throw new Error('a serving certificate needs at least one host name');
  for (const host of hosts) {
    if (isIP(host) === 0 && !/^(?:\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(host)) {
      throw new Error(`"${host}" is neither a DNS name nor an IP address`);
    }
  }
  const days = options.days ?? 730;
  if (!Number.isInteger(days) || days < 1 || days > 36500) throw new Error(`certificate validity must be 1 to 36500 days, got ${days}`);
  // Whole seconds: certificates carry no fractions, and notAfter must say exactly what the certificate says.
  const notBefore = new Date(Math.floor(((options.now ?? new Date()).getTime() - 5 * 60_000) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);

  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = name(options.caName ?? 'vigil-admission-ca', 'vigil');
  const caSpki = caKeys.publicKey.export({ type: 'spki', format: 'der' });
  const ca = certificate({
    subject: caName,
    issuer: caName,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    authorityKeyId: keyIdentifier(caSpki),
    notBefore,
    notAfter,
    extensions: [
      // CA:TRUE, pathLenConstraint 0: it signs serving certificates, never other CAs.
      extension(OID.basicConstraints, true, sequence(booleanTrue(), smallInteger(0))),
      // digitalSignature (bit 0), keyCertSign (bit 5), cRLSign (bit 6): 1000 0110, one unused bit.
      extension(OID.keyUsage, true, bitString(Buffer.from([0x86]), 1)),
    ],
  });

  const serverKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const served = certificate({
    subject: name(first),
    issuer: caName,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    authorityKeyId: ca.subjectKeyId,
    notBefore,
    notAfter,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      // digitalSignature only (bit 0): ECDHE key exchange signs; there is no key encipherment with EC keys.
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
      extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
      // Go's TLS client (the API server) checks only the SANs, never the CN.
      extension(OID.subjectAltName, false, subjectAltNames(hosts)),
    ],
  });

  return {
    caCert: pem('CERTIFICATE', ca.der),
    cert: pem('CERTIFICATE', served.der),
    key: serverKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    notAfter,
  };
}

/** When a PEM certificate stops being valid, or undefined when the text is not a certificate. */
export function certificateExpiry(pemText: string | Buffer): Date | undefined {
  try {
    return new Date(new X509Certificate(pemText).validTo);
  } catch {
    return undefined;
  }
}
