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
export async function postEvent(baseUrl: string, token: string, caseId: string, event: BenchEvent, key: string): Promise<PostResult> {
  const sentAt = nowMs();
  try {
    const response = await fetch(`${baseUrl}/api/cases/${caseId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ type: event.type, data: event.data }),
    });
    const body = (await response.json().catch(() => ({}))) as { eventId?: string; seq?: number; error?: { code?: string } };
    return { status: response.status, eventId: body.eventId, seq: body.seq, error: response.ok ? undefined : (body.error?.code ?? `HTTP_${response.status}`), sentAt, answeredAt: nowMs() };
  } catch (e) {
    return { status: 0, error: (e as Error).message, sentAt, answeredAt: nowMs() };
  }
}

export async function getJson(baseUrl: string, path: string, token: string): Promise<{ status: number; bytes: number }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, bytes: text.length };
}

/** Counts answers by status (and error code). */
export class StatusTally {
  readonly counts: Record<string, number> = {};
  add(r: PostResult): void {
    const key = r.status === 202 || r.status === 200 ? String(r.status) : `${r.status}${r.error ? ` ${r.error}` : ''}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
  get failures(): number {
    return Object.entries(this.counts)
      .filter(([k]) => k !== '202' && k !== '200')
      .reduce((sum, [, n]) => sum + n, 0);
  }
}
