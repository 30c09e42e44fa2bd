import assert from 'node:assert/strict';
import { CxError } from '../../nodes/lib/errors';
import { SecretScrubber } from '../../nodes/lib/scrub';

describe('SecretScrubber', () => {
  it('removes the password and every token held, raw and XML-escaped, wherever they appear', () => {
    const s = new SecretScrubber('Happy<B>&day');
    s.addToken('0f8fad5b-d9cb-469f-a165-70867728950e');
    const out = s.text(
      'login Happy<B>&day / Happy&lt;B&gt;&amp;day / xHAPPY<b>&DAYx, token=0f8fad5b-d9cb-469f-a165-70867728950e;',
    );
    assert.equal(out, 'login *** / *** / x***x, token=***;');
    const err = s.error(new CxError('CX_FAULT', 'rejected Happy<B>&day', { snippet: '<t>Happy&lt;B&gt;&amp;day</t>' }));
    assert.equal(err.message, 'rejected ***');
    assert.equal(err.details.snippet, '<t>***</t>');
  });

  it('removes a short password only where it stands alone, so that messages stay readable', () => {
    const s = new SecretScrubber('p');
    assert.equal(
      s.text('WSRepairContractorService failed for user jim with password p (or "p").'),
      'WSRepairContractorService failed for user jim with password *** (or "***").',
    );
    const pin = new SecretScrubber('1234');
    assert.equal(pin.text('PIN 1234 refused; code 912345 ok'), 'PIN *** refused; code 912345 ok');
  });
});
