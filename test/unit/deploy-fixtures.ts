// A small function project on disk for the deploy tests: a build script instead of tsc, one production and
// one dev dependency already "installed" (node_modules matches the lockfile, so no registry is needed),
// and a .funcignore. Fast to build (node build.mjs), so each test can make its own.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Fixture {
  dir: string;
  write(path: string, content: string): void;
  cleanup(): void;
}

const BUILD = `
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
mkdirSync('dist/src/functions', { recursive: true });
for (const f of readdirSync('src/functions')) {
  const js = readFileSync('src/functions/' + f, 'utf8');
  writeFileSync('dist/src/functions/' + f.replace(/\\.ts$/, '.js'), js);
  writeFileSync('dist/src/functions/' + f.replace(/\\.ts$/, '.js.map'), '{"version":3}');
}
`;

function lockfile(): string {
  return JSON.stringify(
    {
      name: 'fixture-app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'fixture-app', version: '1.0.0', dependencies: { 'prod-dep': '1.0.0' }, devDependencies: { 'dev-dep': '1.0.0' } },
        'node_modules/prod-dep': { version: '1.0.0', resolved: 'https://registry.npmjs.org/prod-dep/-/prod-dep-1.0.0.tgz', license: 'MIT' },
        'node_modules/dev-dep': { version: '1.0.0', resolved: 'https://registry.npmjs.org/dev-dep/-/dev-dep-1.0.0.tgz', dev: true, license: 'MIT' },
      },
    },
    null,
    2,
  );
}

export function makeFixture(opts: { funcignore?: string | false } = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'apim-fn-deploy-fixture-'));
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  write(
    'package.json',
    JSON.stringify(
      {
        name: 'fixture-app',
        version: '1.0.0',
        private: true,
        main: 'dist/src/functions/*.js',
        scripts: { clean: `node -e "require('node:fs').rmSync('dist',{recursive:true,force:true})"`, build: 'node build.mjs' },
        dependencies: { 'prod-dep': '1.0.0' },
        devDependencies: { 'dev-dep': '1.0.0' },
      },
      null,
      2,
    ),
  );
  write('package-lock.json', lockfile());
  write('host.json', '{"version":"2.0"}');
  write('build.mjs', BUILD);
  write('src/functions/hello.ts', "const { app } = require('@azure/functions');\napp.http('hello', { handler: async () => ({ body: 'hi' }) });\napp.get(\"greet\", async () => ({}));\n");
  write('src/functions/timer.ts', "app.timer('nightly', { schedule: '0 0 0 * * *', handler: () => {} });\napp.setup({ enableHttpStream: true });\n");
  write('local.settings.json', '{"Values":{"AzureWebJobsStorage":"DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0"}}');
  write('notes/secret.txt', 'not for the package');
  write('node_modules/prod-dep/package.json', '{"name":"prod-dep","version":"1.0.0","license":"MIT"}');
  write('node_modules/prod-dep/index.js', 'module.exports = 42;\n');
  write('node_modules/prod-dep/index.js.map', '{}');
  write('node_modules/dev-dep/package.json', '{"name":"dev-dep","version":"1.0.0","license":"MIT"}');
  write('node_modules/dev-dep/index.js', 'module.exports = "dev";\n');
  const hidden = JSON.parse(lockfile());
  delete hidden.packages[''];
  write('node_modules/.package-lock.json', JSON.stringify(hidden, null, 2));
  if (opts.funcignore !== false) write('.funcignore', opts.funcignore ?? ['*.map', '/src/', '/notes/', 'build.mjs', '*.ts', ''].join('\n'));
  // npm's install marker must be newer than the manifest, or the package step runs `npm ci`.
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, 'node_modules/.package-lock.json'), later, later);
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
