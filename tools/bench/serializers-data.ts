/**
 * The values of the serializer benchmark (serializers.ts): deterministic (seeded) and shaped like
 * what services cache: a login session, an order document, rows of a query result. No Maps, Dates
 * or bigints, so that JSON can carry them too; timestamps are ISO strings as an API would send them.
 */
import { mulberry32 } from './lib/zipf.ts';

// ---------------------------------------------------------------------------------------------

const random = mulberry32(20_240_601);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (max: number) => Math.floor(random() * max);
const WORDS = (
  'the quick brown fox jumps over a lazy dog while seven wizards quietly pack boxes of liquor ' +
  'for a journey north across frozen lakes and golden fields under pale evening skies'
).split(' ');
const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
const isoTime = () => new Date(1_700_000_000_000 + int(30_000_000_000)).toISOString();
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen'];
const CITIES = ['London', 'Berlin', 'Paris', 'Lisbon', 'Oslo', 'Madrid', 'Zürich', 'Kraków', 'Dublin'];

/** A session as an auth middleware would cache it (~200 bytes of JSON). */
export function session() {
  return {
    userId: 48_213,
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    roles: ['admin', 'billing'],
    locale: 'en-GB',
    expiresAt: 1_735_689_600_000,
    mfa: true,
    csrf: 'k3J9xQ2mB7vR1tL8',
  };
}

/** An order document as an API would return it (nested objects, arrays of line items). */
export function order(lines: number) {
  return {
    id: `ord_${int(1e9).toString(36)}`,
    createdAt: isoTime(),
    status: pick(['pending', 'paid', 'shipped', 'delivered']),
    customer: {
      id: int(1e6),
      name: `${pick(FIRST)} ${pick(LAST)}`,
      email: 'customer@example.com',
      phone: '+44 20 7946 0958',
      address: {
        street: `${1 + int(200)} ${words(2)} Road`,
        city: pick(CITIES),
        zip: 'NW1 2DB',
        country: 'GB',
      },
      tags: ['returning', 'newsletter'],
    },
    items: Array.from({ length: lines }, (_, i) => ({
      sku: `SKU-${100_000 + int(900_000)}`,
      title: words(3 + int(4)),
      quantity: 1 + int(4),
      unitPrice: Math.round(random() * 20_000) / 100,
      discount: random() < 0.25 ? 0.15 : 0,
      inStock: random() < 0.9,
      position: i,
      attributes: { color: pick(['red', 'blue', 'black', 'white']), size: pick(['S', 'M', 'L', 'XL']) },
    })),
    totals: { subtotal: 1234.56, tax: 246.91, shipping: 4.99, total: 1486.46, currency: 'EUR' },
    history: Array.from({ length: 8 }, () => ({
      at: isoTime(),
      status: pick(['created', 'paid', 'packed', 'shipped']),
      by: pick(['system', 'warehouse', 'support']),
      note: words(5 + int(6)),
    })),
    shipping: { carrier: 'DHL', tracking: `JD${int(1e12)}`, eta: isoTime(), signatureRequired: false },
    flags: { gift: false, expedited: true, fragile: false },
  };
}

/** A table of rows as a query result cache would hold it. */
function rows(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: 1_000_000 + i,
    name: `${pick(FIRST)} ${pick(LAST)}`,
    email: `user${i}@example.com`,
    age: 18 + int(70),
    score: Math.round(random() * 1e6) / 1e3,
    active: random() < 0.8,
    city: pick(CITIES),
    createdAt: isoTime(),
    tags: Array.from({ length: int(4) }, () => pick(WORDS)),
  }));
}

/** Grows `make(n)` until its JSON is at least `bytes` long. */
function sized<T>(bytes: number, make: (n: number) => T): T {
  let n = 1;
  let value = make(n);
  while (Buffer.byteLength(JSON.stringify(value)) < bytes) value = make(++n);
  return value;
}

export const cases = [
  { name: 'small object (session)', value: session() },
  { name: '10 KiB nested object (order)', value: sized(10 * 1024, order) },
  { name: '1 MiB array of records (rows)', value: sized(1024 * 1024, (n) => rows(n * 100)) },
] as const;
