import type { BenchContext } from '../lib/context';
import type { Figure } from '../lib/report';

/** One measurement: a function of the run's context returning its table rows. */
export interface Scenario {
  /** The name `--only` takes. */
  name: string;
  title: string;
  /** A row later work fills: nothing is measured, no need for a quiet machine. */
  placeholder?: boolean;
  /** Reads what earlier scenarios gathered and puts no load of its own: no need for a quiet machine. */
  passive?: boolean;
  run(ctx: BenchContext): Promise<Figure[]>;
}
