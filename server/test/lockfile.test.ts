import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/cluster.js';

const json = (path: string) => JSON.parse(readFileSync(join(REPO, path), 'utf8'));
const KINDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * `npm install` on a fresh clone rewrites package-lock.json whenever the lock's record of a
 * workspace differs from its package.json (once: a dependency listed both as a dependency and as
 * optional). Then a clone is dirty the moment it is installed; the lock must say what the
 * manifests say.
 */
describe('package-lock.json agrees with every package.json', () => {
  const lock = json('package-lock.json');
  it.each(['', 'protocol', 'server', 'web'])('workspace "%s"', (workspace) => {
    const manifest = json(join(workspace, 'package.json'));
    const locked = lock.packages[workspace];
    for (const kind of KINDS) {
      expect({ kind, deps: locked[kind] ?? {} }).toEqual({ kind, deps: manifest[kind] ?? {} });
    }
  });
});
