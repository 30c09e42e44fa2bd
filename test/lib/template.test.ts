import assert from 'node:assert/strict';
import { buildTemplate } from '../../nodes/lib/template';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { ctx, model, op } from '../helpers/job-service';

describe('templates', () => {
  it('builds a template in schema order without the token', () => {
    const place = resolveTokenPlace(op('GetJob'), model.schema, 'auto', 'Token', ctx('GetJob'));
    const t = buildTemplate(op('GetJob'), model.schema, place) as { request: Record<string, unknown> };
    assert.deepEqual(Object.keys(t.request), ['JobReference', 'JobUid', 'Priority', 'Since', 'Tags']);
    assert.deepEqual(t.request, {
      JobReference: 'string',
      JobUid: 'guid',
      Priority: 'Emergency | Routine',
      Since: 'dateTime',
      Tags: ['string'],
    });
    const ping = buildTemplate(
      op('Ping'),
      model.schema,
      resolveTokenPlace(op('Ping'), model.schema, 'auto', 'Token', ctx('Ping')),
    );
    assert.deepEqual(ping, { count: 'int' });
  });
});
