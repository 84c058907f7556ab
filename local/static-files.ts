import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The built console (`console/dist`) at `/`, as CloudFront serves it on AWS; nothing outside `dir`. */
export const makeStaticFiles =
  (dir: string) =>
  (res: ServerResponse, path: string): boolean => {
    if (!existsSync(join(dir, 'index.html'))) return false;
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': path === '/' ? 'no-cache' : 'max-age=3600',
    });
    res.end(readFileSync(file));
    return true;
  };
