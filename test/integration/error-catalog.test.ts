import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CATALOG, GatehouseError } from '@gatehouse/core';

describe('error catalog', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gmu)].map((m) => [m[1]!, Number(m[2])]));

  it('documents every code with its status in docs/errors.md, and nothing else', () => {
    const catalog = new Map(Object.entries(ERROR_CATALOG).map(([code, e]) => [code, e.status]));
    assert.deepEqual([...documented.entries()].sort(), [...catalog.entries()].sort());
  });

  it("renders Auth0's error body", () => {
    assert.deepEqual(new GatehouseError('inexistent_user').toBody(), {
      statusCode: 404,
      error: 'Not Found',
      message: 'The user does not exist.',
      errorCode: 'inexistent_user',
    });
  });

  it('never exposes the message of a 5xx error', () => {
    const body = new GatehouseError('internal_error', { message: 'connect ECONNREFUSED 10.0.0.5:5432 password=…' }).toBody();
    assert.equal(body.message, 'Something went wrong on our side.');
  });
});
