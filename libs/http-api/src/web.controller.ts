import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Public } from './auth.guard';

/** The dashboard: plain HTML, CSS and ES modules, no build step (see `web/README.md`). */
export const WEB_ROOT = join(__dirname, 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The page loads only its own files and talks only to this API; no inline script or style.
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

/** Every servable file under `web/`, by its path relative to it: nothing else can be asked for. */
function listFiles(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) for (const [rel, file] of listFiles(abs, `${prefix}${entry.name}/`)) files.set(rel, file);
    else if (TYPES[extname(entry.name)]) files.set(`${prefix}${entry.name}`, abs);
  }
  return files;
}

/**
 * Serves the dashboard's static files without a token (`@Public`); the data they show comes
 * from `/api/...`, which needs one. `/` is the app; `/cases/:id` (the links in notifications
 * and digests) opens it on that case.
 */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  private readonly files = listFiles(WEB_ROOT);

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('cases/:id')
  caseLink(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('assets/*path')
  asset(@Param('path') path: string | string[], @Res() res: Response): void {
    this.send(res, Array.isArray(path) ? path.join('/') : path);
  }

  private send(res: Response, rel: string): void {
    const file = this.files.get(rel);
    if (!file) throw new NotFoundException(`no such file: ${rel}`);
    res.sendFile(file, { headers: { ...PAGE_HEADERS, 'Content-Type': TYPES[extname(file)] }, dotfiles: 'deny' });
  }
}
