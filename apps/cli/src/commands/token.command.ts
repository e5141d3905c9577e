import { loadConfig } from '@rasoat/config';
import { UserRole } from '@rasoat/contracts';
import { signToken } from '@rasoat/engine';
import type { CliCommand } from '../cli-command';
import { parseFlags } from '../cli-flags';
import { tokenUnitRefusal } from './token-unit-check';

/** `rasoat token --role ROLE --unit CODE [--sub ID] [--hours H]`: mints an access token for operators. */
export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'mint a JWT access token for a role scoped to a unit',
  usage: 'token --role ROLE --unit CODE [--sub ID] [--name NAME] [--hours H]',
  async run(args, io) {
    const flags = parseFlags(args, ['role', 'unit', 'sub', 'name', 'hours']);
    if ('error' in flags) {
      io.stderr.write(`${flags.error}\nusage: ${this.usage}\n`);
      return 2;
    }
    const role = UserRole.safeParse(flags.values.role);
    if (!role.success) {
      io.stderr.write(`--role: must be one of ${UserRole.options.join(', ')}\n`);
      return 2;
    }
    const unit = flags.values.unit;
    if (!unit) {
      io.stderr.write('--unit: required (an administrative unit code, or VN for the nation)\n');
      return 2;
    }
    const hours = Number(flags.values.hours ?? 12);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 366) {
      io.stderr.write('--hours: must be a positive number of hours\n');
      return 2;
    }
    const config = loadConfig();
    // The API refuses a role at a unit of another level, or at a unit that does not exist: so does this command.
    const refusal = await tokenUnitRefusal(role.data, unit, config);
    if (refusal) {
      io.stderr.write(`--unit: ${refusal.message}\n`);
      return refusal.exit;
    }
    const sub = flags.values.sub ?? `${role.data}@${unit}`;
    io.stdout.write(
      `${signToken({ sub, role: role.data, unit, ...(flags.values.name ? { name: flags.values.name } : {}) }, config.jwtSecret, new Date(), Math.round(hours * 3600))}\n`,
    );
    return 0;
  },
};
