import { Client } from 'pg';

/** The demo season of a province and year: played once per database (`demo_season`). */
export interface DemoSeasonRow {
  province_code: string;
  year: number;
  campaign_id: string | null;
  definition_key: string;
  seed: number;
  status: 'playing' | 'done';
  played_until: Date | null;
  started_at: Date;
  finished_at: Date | null;
  summary: Record<string, unknown> | null;
}

/**
 * The SQL of the demo season: its marker row, the campaigns already there, and the removal of a
 * season interrupted midway (its campaign and everything its cases wrote). One connection,
 * opened by `open` and closed by `close`.
 */
export class DemoSeasonRepository {
  private constructor(private readonly client: Client) {}

  static async open(databaseUrl: string): Promise<DemoSeasonRepository> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    return new DemoSeasonRepository(client);
  }

  close(): Promise<void> {
    return this.client.end();
  }

  async find(provinceCode: string, year: number): Promise<DemoSeasonRow | undefined> {
    const { rows } = await this.client.query<DemoSeasonRow>(
      'select * from demo_season where province_code = $1 and year = $2',
      [provinceCode, year],
    );
    return rows[0];
  }

  /** Campaigns of the database: the demo province's of the year, and the others. */
  async campaigns(provinceCode: string, year: number): Promise<{ demo: string | null; others: number }> {
    const { rows } = await this.client.query<{ id: string; demo: boolean }>(
      'select id, (province_code = $1 and year = $2) as demo from campaign',
      [provinceCode, year],
    );
    return { demo: rows.find((r) => r.demo)?.id ?? null, others: rows.filter((r) => !r.demo).length };
  }

  /** Marks the season begun (committed before anything is played: a crash leaves `playing`). */
  async begin(row: {
    provinceCode: string;
    year: number;
    definitionKey: string;
    seed: number;
    now: Date;
  }): Promise<void> {
    await this.client.query(
      `insert into demo_season (province_code, year, campaign_id, definition_key, seed, status, played_until, started_at, finished_at, summary)
       values ($1, $2, null, $3, $4, 'playing', null, $5, null, null)`,
      [row.provinceCode, row.year, row.definitionKey, row.seed, row.now],
    );
  }

  async setCampaign(provinceCode: string, year: number, campaignId: string): Promise<void> {
    await this.client.query('update demo_season set campaign_id = $3 where province_code = $1 and year = $2', [
      provinceCode,
      year,
      campaignId,
    ]);
  }

  async finish(
    provinceCode: string,
    year: number,
    values: { playedUntil: Date; now: Date; summary: Record<string, unknown> },
  ): Promise<void> {
    await this.client.query(
      `update demo_season set status = 'done', played_until = $3, finished_at = $4, summary = $5::jsonb
        where province_code = $1 and year = $2`,
      [provinceCode, year, values.playedUntil, values.now, JSON.stringify(values.summary)],
    );
  }

  /**
   * Removes a season interrupted midway, in one transaction: its campaign (when it got that far)
   * with every row its cases wrote — events, history, deadlines and their counters,
   * notifications, households and complaints, progress counters — and the marker. The units stay.
   */
  async removeInterrupted(provinceCode: string, year: number, campaignId: string | null): Promise<void> {
    await this.client.query('begin');
    try {
      if (campaignId !== null) {
        const cases = 'select id from review_case where campaign_id = $1';
        for (const table of [
          'household_complaint',
          'household',
          'notification',
          'case_history',
          'case_event',
          'deadline',
        ])
          await this.client.query(`delete from ${table} where case_id in (${cases})`, [campaignId]);
        for (const table of [
          'open_deadline_counter',
          'stage_counter_daily',
          'stage_counter',
          'progress_counter',
          'review_case',
        ])
          await this.client.query(`delete from ${table} where campaign_id = $1`, [campaignId]);
        await this.client.query('delete from campaign where id = $1', [campaignId]);
      }
      await this.client.query('delete from demo_season where province_code = $1 and year = $2', [provinceCode, year]);
      await this.client.query('commit');
    } catch (error) {
      await this.client.query('rollback').catch(() => undefined);
      throw error;
    }
  }
}
