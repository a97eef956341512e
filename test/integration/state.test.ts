// State survives stop + start (resources and running LROs), concurrent writers don't corrupt it,
// and a second local Azure cannot serve the same data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, fast, rawRequest } from '../helpers/local-azure.ts';
import { startLocalAzure } from '../../src/local/index.ts';

test('resources and a running LRO survive a restart; the LRO completes afterwards', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'apim-fn-state-'));
  try {
    let h = await startHarness({ dataDir, latency: 'realistic', timeScale: 0.02 });
    const sub = h.sub;
    await h.resources.resourceGroups.createOrUpdate('rg-a', { location: 'eastus' });
    await h.resources.resourceGroups.createOrUpdate('rg-b', { location: 'eastus' });
    const del = await rawRequest(h.azure, 'DELETE', `/subscriptions/${sub}/resourcegroups/rg-b?api-version=2025-04-01`);
    assert.equal(del.status, 202);
    assert.match(del.headers.location, /\/operationresults\//);
    await h.close();

    h = await startHarness({ dataDir, latency: 'realistic', timeScale: 0.02 });
    assert.equal(h.sub, sub, 'same subscription after restart');
    assert.equal((await h.resources.resourceGroups.get('rg-a')).name, 'rg-a');
    // rg-b's delete (15 s x 0.02 = 300 ms) resumes from its persisted operation.
    let poll = await rawRequest(h.azure, 'GET', del.headers.location);
    while (poll.status === 202) {
      await new Promise((r) => setTimeout(r, 20));
      poll = await rawRequest(h.azure, 'GET', del.headers.location);
    }
    assert.equal(poll.status, 200);
    await assert.rejects(h.resources.resourceGroups.get('rg-b'), { statusCode: 404 });
    await h.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('many concurrent writers leave a valid state document with every write in it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'apim-fn-state-'));
  try {
    const h = await startHarness({ dataDir });
    await Promise.all(Array.from({ length: 60 }, (_, i) => h.resources.resourceGroups.createOrUpdate(`rg-${i}`, { location: 'westeurope', tags: { i: String(i) } })));
    await Promise.all(Array.from({ length: 30 }, (_, i) => h.resources.resourceGroups.delete(`rg-${i}`, fast)));
    const doc = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8'));
    const groups = Object.values(doc.resources).filter((r: any) => r.type === 'Microsoft.Resources/resourceGroups');
    assert.equal(groups.length, 30);
    await h.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a second local Azure on the same data dir is refused', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'apim-fn-state-'));
  const first = await startLocalAzure({ dataDir });
  try {
    // Same process would be allowed to re-open; simulate another owner by rewriting the record's pid to our parent.
    const rec = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dataDir, 'daemon.json'), JSON.stringify({ ...rec, pid: process.ppid }));
    await assert.rejects(startLocalAzure({ dataDir }), /already serves/);
  } finally {
    await first.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
