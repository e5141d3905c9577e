import { Metrics } from './metrics';

describe('Metrics', () => {
  it('exposes the counters, the histogram and default process metrics in the text format', async () => {
    const metrics = new Metrics();
    metrics.eventsApplied.inc({ outcome: 'applied' }, 2);
    metrics.eventsApplied.inc({ outcome: 'rejected' });
    metrics.eventApplySeconds.observe(0.02);
    metrics.alarmsRung.inc({ kind: 'reminder' });
    metrics.notificationDeliveries.inc({ channel: 'email', outcome: 'sent' });
    const text = await metrics.render();
    expect(metrics.contentType).toContain('text/plain');
    expect(text).toContain('rasoat_events_applied_total{outcome="applied"} 2');
    expect(text).toContain('rasoat_events_applied_total{outcome="rejected"} 1');
    expect(text).toContain('rasoat_event_apply_seconds_count 1');
    expect(text).toContain('rasoat_alarms_rung_total{kind="reminder"} 1');
    expect(text).toContain('rasoat_notification_deliveries_total{channel="email",outcome="sent"} 1');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('rasoat_queue_jobs');
  });

  it('starts every known counter series at 0', async () => {
    const text = await new Metrics().render();
    expect(text).toContain('rasoat_events_applied_total{outcome="rejected"} 0');
    expect(text).toContain('rasoat_alarms_rung_total{kind="escalation"} 0');
    expect(text).toContain('rasoat_notification_deliveries_total{channel="webhook",outcome="dead"} 0');
  });

  it('reads the shared-state gauges on scrape, and reports a failing source without failing the scrape', async () => {
    const metrics = new Metrics();
    let armed = 3;
    const errors: string[] = [];
    metrics.collectOnScrape(
      {
        queueJobCounts: async () => [{ queue: 'case-events', counts: { waiting: 4, active: 1 } }],
        armedDeadlines: async () => {
          if (armed < 0) throw new Error('database down');
          return armed;
        },
      },
      (what) => errors.push(what),
    );
    let text = await metrics.render();
    expect(text).toContain('rasoat_queue_jobs{queue="case-events",state="waiting"} 4');
    expect(text).toContain('rasoat_queue_jobs{queue="case-events",state="delayed"} 0');
    expect(text).toContain('rasoat_deadlines_armed 3');
    armed = 5;
    expect(await metrics.render()).toContain('rasoat_deadlines_armed 5');
    armed = -1;
    text = await metrics.render();
    expect(text).toMatch(/rasoat_deadlines_armed NaN/i); // prom-client writes "Nan"; Prometheus parses it as NaN
    expect(errors).toEqual(['rasoat_deadlines_armed']);
  });
});
