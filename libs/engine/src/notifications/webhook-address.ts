import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** The internal ranges by name, in the two languages of the messages. */
const RANGE_NAMES = {
  loopback: ['vòng lặp', 'loopback'],
  private: ['mạng riêng', 'private'],
  'link-local': [
    'liên kết cục bộ (gồm dịch vụ metadata 169.254.169.254)',
    'link-local (incl. the metadata service 169.254.169.254)',
  ],
  'unique-local': ['mạng riêng IPv6', 'unique-local IPv6'],
  unspecified: ['không xác định', 'unspecified'],
} as const;
export type InternalRange = keyof typeof RANGE_NAMES;

/**
 * The ranges a webhook must not reach: a subscription is an admin-supplied URL the worker calls,
 * so without this a province admin could make it probe the machine, the private network or the
 * cloud metadata service (SSRF). IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) fall in the
 * IPv4 ranges (BlockList checks them as such).
 */
const RANGES: readonly [InternalRange, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  // Carrier-grade NAT (RFC 6598): private in practice.
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  // Site-local (deprecated, still routed on some private networks).
  ['private', 'fec0::', 10, 'ipv6'],
  ['unique-local', 'fc00::', 7, 'ipv6'],
];
const BLOCK_LISTS = RANGES.map(([range, network, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { range, list };
});

/** The internal range an IP address is in; undefined for a public address (or not an IP address). */
export function internalRangeOf(address: string): InternalRange | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return BLOCK_LISTS.find(({ list }) => list.check(address, type))?.range;
}

/** A URL's host as DNS and the allow list know it: lower case, an IPv6 literal without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** A webhook host that is, or resolves to, an internal address and is not allowed. */
export class WebhookAddressRefusedError extends Error {
  readonly code = 'WEBHOOK_ADDRESS_REFUSED';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: InternalRange,
  ) {
    const where = host === address ? host : `${host} → ${address}`;
    const [vi, en] = RANGE_NAMES[range];
    super(
      `máy chủ webhook ${where} là địa chỉ ${vi}, không được gọi trừ khi quản trị cho phép máy chủ này (notifications.webhookAllowedHosts) / ` +
        `webhook host ${where} is a ${en} address: refused unless an operator allows the host (notifications.webhookAllowedHosts, WEBHOOK_ALLOWED_HOSTS)`,
    );
    this.name = 'WebhookAddressRefusedError';
  }
}

/**
 * Where webhooks may go: hosts that are, and resolve to, public addresses only — unless an
 * operator listed the host in `notifications.webhookAllowedHosts`. Checked when a subscription
 * is created (`refusal`, a clear 400) and again when each delivery connects (`lookup`): DNS may
 * answer otherwise by then (rebinding), so the address checked is the address connected to.
 */
export class WebhookAddressPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedHosts: readonly string[]) {
    this.allowed = new Set(allowedHosts);
  }

  isAllowed(url: URL): boolean {
    return this.allowed.has(hostOf(url));
  }

  /**
   * Why a subscription may not use this URL, or undefined. A name that does not resolve (yet)
   * passes: each delivery checks what it resolves to then. DNS gets `timeoutMs` at most.
   */
  async refusal(url: URL, timeoutMs: number): Promise<WebhookAddressRefusedError | undefined> {
    const host = hostOf(url);
    if (this.isAllowed(url) || isIP(host) !== 0) return this.literalRefusal(url);
    let timer: NodeJS.Timeout | undefined;
    const addresses = await Promise.race([
      new Promise<LookupAddress[]>((resolve) =>
        dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found)),
      ),
      new Promise<LookupAddress[]>((resolve) => (timer = setTimeout(() => resolve([]), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    return firstRefused(host, addresses);
  }

  /** Why a URL whose host is an IP address may not be used, or undefined (a name: see `lookupFor`). */
  literalRefusal(url: URL): WebhookAddressRefusedError | undefined {
    const host = hostOf(url);
    const range = this.isAllowed(url) ? undefined : internalRangeOf(host);
    return range ? new WebhookAddressRefusedError(host, host, range) : undefined;
  }

  /**
   * The DNS lookup of one delivery's connection (`http.request`'s `lookup`): the addresses are
   * resolved once, refused if any is internal (unless the host is allowed), and the connection
   * goes to those very addresses. An IP literal never reaches a lookup: `literalRefusal` covers it.
   */
  lookupFor(url: URL): LookupFunction {
    const allowed = this.isAllowed(url);
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, '', 0);
        const refused = allowed ? undefined : firstRefused(hostname, addresses);
        if (refused) return callback(refused, '', 0);
        if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      });
    };
  }
}

function firstRefused(host: string, addresses: readonly LookupAddress[]): WebhookAddressRefusedError | undefined {
  for (const { address } of addresses) {
    const range = internalRangeOf(address);
    if (range) return new WebhookAddressRefusedError(host, address, range);
  }
  return undefined;
}
