import { nowMs } from './stats';
import type { BenchEvent } from './workload';

/** What one POST of an event returned. */
export interface PostResult {
  status: number;
  eventId?: string;
  seq?: number;
  /** Error code of a non-2xx answer, or the network error. */
  error?: string;
  sentAt: number;
  answeredAt: number;
}

/**
 * `POST /api/cases/:id/events` with a bearer token and an Idempotency-Key, over Node's
 * built-in fetch (undici: keep-alive connections, one per request in flight).
 */
export async function postEvent(
  baseUrl: string,
  token: string,
  caseId: string,
  event: BenchEvent,
  key: string,
): Promise<PostResult> {
  const sentAt = nowMs();
  try {
    const response = await fetch(`${baseUrl}/api/cases/${caseId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ type: event.type, data: event.data }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      eventId?: string;
      seq?: number;
      error?: { code?: string };
    };
    return {
      status: response.status,
      eventId: body.eventId,
      seq: body.seq,
      error: response.ok ? undefined : (body.error?.code ?? `HTTP_${response.status}`),
      sentAt,
      answeredAt: nowMs(),
    };
  } catch (e) {
    return { status: 0, error: (e as Error).message, sentAt, answeredAt: nowMs() };
  }
}

/** One event of a batch: its case and its (required) idempotency key. */
export interface BatchEvent extends BenchEvent {
  caseId: string;
  idempotencyKey: string;
}

/** What one POST of a batch returned: the HTTP status, and per event its own status (the HTTP one for every event when the request failed). */
export interface BatchResult {
  status: number;
  events: { status: number; error?: string }[];
  /** Error code of a non-200 answer, or the network error. */
  error?: string;
  sentAt: number;
  answeredAt: number;
}

/** `POST /api/cases/events/batch` with a bearer token; each event carries its own idempotency key. */
export async function postBatch(baseUrl: string, token: string, events: readonly BatchEvent[]): Promise<BatchResult> {
  const sentAt = nowMs();
  const all = (status: number, error?: string) => events.map(() => ({ status, error }));
  try {
    const response = await fetch(`${baseUrl}/api/cases/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: events.map((e) => ({ caseId: e.caseId, type: e.type, data: e.data, idempotencyKey: e.idempotencyKey })),
      }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      results?: { status: number; error?: { code?: string } }[];
      error?: { code?: string };
    };
    if (response.status !== 200 || !Array.isArray(body.results)) {
      const error = body.error?.code ?? `HTTP_${response.status}`;
      return { status: response.status, events: all(response.status, error), error, sentAt, answeredAt: nowMs() };
    }
    return {
      status: 200,
      events: body.results.map((r) => ({ status: r.status, error: r.error?.code })),
      sentAt,
      answeredAt: nowMs(),
    };
  } catch (e) {
    const error = (e as Error).message;
    return { status: 0, events: all(0, error), error, sentAt, answeredAt: nowMs() };
  }
}

export async function getJson(
  baseUrl: string,
  path: string,
  token: string,
): Promise<{ status: number; bytes: number }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, bytes: text.length };
}

/** Counts answers by status (and error code). */
export class StatusTally {
  readonly counts: Record<string, number> = {};
  add(r: Pick<PostResult, 'status' | 'error'>): void {
    const key = r.status === 202 || r.status === 200 ? String(r.status) : `${r.status}${r.error ? ` ${r.error}` : ''}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
  get failures(): number {
    return Object.entries(this.counts)
      .filter(([k]) => k !== '202' && k !== '200')
      .reduce((sum, [, n]) => sum + n, 0);
  }
}
