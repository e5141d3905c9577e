/** Receives one human-readable line about what a local service is doing. */
export type ServiceLog = (message: string) => void;

/** Writes to stderr so notices never mix with a CLI's stdout. */
export const stderrLog: ServiceLog = (message) => process.stderr.write(`[local-services] ${message}\n`);
