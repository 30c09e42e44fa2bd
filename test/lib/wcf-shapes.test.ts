// The client against the simulator's WSShapesService: the WCF shapes that real services use beyond
// the Cx services' own (README, Messages). Each test fails without the client feature it names.
import assert from 'node:assert/strict';
import { CxClient } from '../../nodes/lib';
import { CxError } from '../../nodes/lib/errors';
import { decimalValue } from '../../nodes/lib/response-reader';
import { withoutExponent } from '../../nodes/lib/envelope';
import { useSimulator } from '../helpers/sim';

const SVC = 'WSShapesService';

describe('WCF shapes (simulator WSShapesService)', function () {
  const holder = useSimulator();
  let client: CxClient;
  beforeEach(() => {
    client = new CxClient({ url: holder.sim.url, username: 'x', password: 'shapes-pw', tokenPlacement: 'none' });
  });
  afterEach(() => client.close());
  const expectCode = async (p: Promise<unknown>, code: string, text?: RegExp) => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof CxError, String(e));
      assert.equal(e.code, code, e.message);
      if (text) assert.match(e.message, text);
      return true;
    });
  };

  it('gives every part of an answer with out and ref parameters, by name', async () => {
    const r = await client.call(SVC, 'Divide', { dividend: 17, divisor: 5, note: 'n' });
    assert.deepEqual(r.result, { DivideResult: 3, remainder: 2, note: 'n (checked)' });
  });

  it('keeps the plain value when the answer is only <Op>Result', async () => {
    const r = await client.call(SVC, 'NextChar', { c: 'A' });
    assert.equal(r.result, 'B');
  });

  it('sends declared SOAP header parts from soapHeaders, in their namespace, and reads a bare answer and its header', async () => {
    const r = await client.call(
      SVC,
      'GetQuote',
      { Symbol: 'SMALL' },
      { soapHeaders: { Account: 'ACC-1', Trace: { Caller: 'flow', Depth: 2 } } },
    );
    assert.deepEqual(r.result, { Price: 0.5, Currency: 'GBP' });
    assert.deepEqual(r.headers, { RequestId: 'ACC-1/flow/2/SMALL' });
  });

  it('lists header parts in a template and checks them like body members', async () => {
    assert.deepEqual(await client.headersTemplate(SVC, 'GetQuote'), {
      Account: 'string',
      Trace: { Caller: 'string', Depth: 'int' },
    });
    await expectCode(
      client.call(SVC, 'GetQuote', {}, { soapHeaders: { Acount: 'x' } }),
      'CX_BAD_REQUEST',
      /Acount.*Valid names: Account, Trace/,
    );
    await expectCode(
      client.call(SVC, 'GetQuote', {}, { soapHeaders: { Account: 'a', Trace: { Depth: 'deep' } } }),
      'CX_BAD_REQUEST',
      /Trace\.Depth must be a whole number/,
    );
  });

  it('refuses a required member left out, naming it', async () => {
    await expectCode(
      client.call(SVC, 'GetQuote', {}, { soapHeaders: { Account: 'a', Trace: { Caller: 'c' } } }),
      'CX_BAD_REQUEST',
      /lacks the required member Depth/,
    );
  });

  it('sends a derived type chosen with $type, with xsi:type and each member in its own namespace', async () => {
    const r = await client.call(SVC, 'DescribeShape', { shape: { $type: 'Circle', Name: 'c1', Radius: 1e-7 } });
    assert.equal(r.result, 'Circle Name=c1 Radius=0.0000001');
    const plain = await client.call(SVC, 'DescribeShape', { shape: { Name: 's' } });
    assert.equal(plain.result, 'Shape Name=s');
    assert.deepEqual(await client.template(SVC, 'DescribeShape'), {
      shape: { $type: 'Shape | Square | Circle', Name: 'string' },
    });
    await expectCode(
      client.call(SVC, 'DescribeShape', { shape: { $type: 'Triangle' } }),
      'CX_BAD_REQUEST',
      /Shape, Square, Circle/,
    );
    await expectCode(
      client.call(SVC, 'DescribeShape', { shape: { Radius: 2 } }),
      'CX_BAD_REQUEST',
      /no member "Radius"/,
    );
  });

  it('writes a bare request with several body parts, each its own Body element in declared namespace and order', async () => {
    assert.deepEqual(await client.template(SVC, 'PlaceOrder'), {
      Item: 'string',
      Quantity: 'int',
      TraceInfo: { Caller: 'string', Depth: 'int' },
    });
    // Given in any order, by element name; the simulator, like WCF, refuses parts out of order.
    const r = await client.call(SVC, 'PlaceOrder', {
      TraceInfo: { Depth: 2, Caller: 'flow' },
      Quantity: 3,
      Item: 'bolt',
    });
    assert.deepEqual(r.result, { Confirmation: 'bolt x3 by flow/2' });
    const some = await client.call(SVC, 'PlaceOrder', { Item: 'nut', TraceInfo: { Depth: 1 } });
    assert.deepEqual(some.result, { Confirmation: 'nut x- by -/1' });
    await expectCode(
      client.call(SVC, 'PlaceOrder', { Item: 'nut', Colour: 'red' }),
      'CX_BAD_REQUEST',
      /no parameter "Colour". Valid names: Item, Quantity, TraceInfo/,
    );
    await expectCode(
      client.call(SVC, 'PlaceOrder', { Item: 'nut', Quantity: 'many' }),
      'CX_BAD_REQUEST',
      /Quantity must be a whole number/,
    );
  });

  it("templates show each derived type's members, the SOAP header parts and the answer's shape", async () => {
    const shape = await client.templates(SVC, 'DescribeShape');
    assert.deepEqual(shape.payload, { shape: { $type: 'Shape | Square | Circle', Name: 'string' } });
    assert.deepEqual(shape.derivedTypes, {
      'msg.payload.shape': {
        Square: { $type: 'Square', Name: 'string', Side: 'decimal' },
        Circle: { $type: 'Circle', Name: 'string', Radius: 'decimal' },
      },
    });
    // A derived skeleton, filled in, is a payload the client sends as that type.
    const circle = { ...shape.derivedTypes['msg.payload.shape'].Circle, Name: 'c2', Radius: 3 };
    assert.equal((await client.call(SVC, 'DescribeShape', { shape: circle })).result, 'Circle Name=c2 Radius=3');
    assert.deepEqual(shape.answer, { shape: 'result', payload: 'string' });
    const quote = await client.templates(SVC, 'GetQuote');
    assert.deepEqual(quote.soapHeaders, { Account: 'string', Trace: { Caller: 'string', Depth: 'int' } });
    assert.deepEqual(quote.answer, {
      shape: 'parts',
      payload: { Price: 'decimal', Currency: 'string' },
      soapHeaders: { RequestId: 'string' },
    });
    assert.deepEqual((await client.templates(SVC, 'Divide')).answer, {
      shape: 'parts',
      payload: { DivideResult: 'int', remainder: 'int', note: 'string' },
    });
    assert.deepEqual((await client.templates(SVC, 'GetPeople')).answer, {
      shape: 'result',
      payload: [{ Manager: {}, Name: 'string' }],
    });
  });

  it('resolves z:Ref to the z:Id object (WCF IsReference)', async () => {
    const r = await client.call(SVC, 'GetPeople', {});
    const people = r.result as Array<{ Name: string; Manager: unknown }>;
    assert.equal(people.length, 3);
    assert.deepEqual(people[0], { Manager: null, Name: 'Ann' });
    assert.equal(people[1].Manager, people[0]);
    assert.equal(people[2], people[1]);
  });

  it('reads an answer WCF wrote in UTF-16 (BOM and charset=utf-16)', async () => {
    const r = await client.call(SVC, 'Hello', { name: 'Ann' });
    assert.equal(r.result, 'Hello Ann – ✓');
  });

  it('keeps every digit of a long decimal as text (and a short one as a number)', async () => {
    const r = await client.call(SVC, 'GetQuote', { Symbol: 'BIG' }, { soapHeaders: { Account: 'a' } });
    assert.deepEqual(r.result, { Price: '12345678901234567.123456789', Currency: 'GBP' });
    assert.equal(decimalValue('0012.500'), 12.5);
    assert.equal(decimalValue('1234567890.123456'), '1234567890.123456');
    assert.equal(decimalValue(''), '');
    assert.equal(withoutExponent('1e+21'), '1000000000000000000000');
    assert.equal(withoutExponent('-1.25e-3'), '-0.00125');
  });
});
