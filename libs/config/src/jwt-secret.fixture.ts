// Test fixture: loads the configuration from this process's environment and prints the JWT
// secret it resolved, so that a test can start several processes on one data directory at once.
import { loadConfig } from './app-config';

process.stdout.write(`${loadConfig().jwtSecret}\n`);
