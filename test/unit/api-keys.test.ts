import { parseApiKeys } from '../../client/api/api-keys';

const secret = (label: string) => `${label}-0123456789abcdef`;

describe('the API key list', () => {
  it('binds each key of the JSON list to its orgs, or to every org with "*"', () => {
    const keys = parseApiKeys(
      JSON.stringify([
        { id: 'ops', key: secret('ops'), orgs: '*' },
        { id: 'acme-ci', key: secret('acme'), orgs: ['acme', 'acme-eu'] },
      ]),
    );
    expect(keys).toEqual([
      { id: 'ops', secret: secret('ops'), orgs: '*' },
      { id: 'acme-ci', secret: secret('acme'), orgs: ['acme', 'acme-eu'] },
    ]);
  });

  it('reads the older list of bare keys as operator keys numbered in order', () => {
    expect(parseApiKeys(`${secret('one')},${secret('two')}\n${secret('three')}\n`)).toEqual([
      { id: 'legacy-1', secret: secret('one'), orgs: '*' },
      { id: 'legacy-2', secret: secret('two'), orgs: '*' },
      { id: 'legacy-3', secret: secret('three'), orgs: '*' },
    ]);
    expect(parseApiKeys('')).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['a short key', [{ id: 'a', key: 'short', orgs: '*' }], /API key a must be at least 16 characters/],
    ['no orgs', [{ id: 'a', key: secret('a'), orgs: [] }], /API key a needs "orgs"/],
    ['an org id with a quote', [{ id: 'a', key: secret('a'), orgs: ['x" OR 1=1'] }], /invalid org id/],
    ['an unknown field', [{ id: 'a', key: secret('a'), orgs: '*', org: 'x' }], /unknown fields: org/],
    [
      'a repeated id',
      [
        { id: 'a', key: secret('a'), orgs: '*' },
        { id: 'a', key: secret('b'), orgs: '*' },
      ],
      /twice/,
    ],
    [
      'a repeated secret',
      [
        { id: 'a', key: secret('a'), orgs: '*' },
        { id: 'b', key: secret('a'), orgs: '*' },
      ],
      /same secret/,
    ],
    ['a bad id', [{ id: 'a b', key: secret('a'), orgs: '*' }], /API key #1 needs an "id"/],
  ])('refuses %s without quoting any secret', (_case, list, message) => {
    const parse = () => parseApiKeys(JSON.stringify(list));
    expect(parse).toThrow(message);
    try {
      parse();
    } catch (error) {
      expect(String(error)).not.toContain('0123456789abcdef');
    }
  });

  it('refuses JSON it cannot parse without echoing it', () => {
    const parse = () => parseApiKeys(`[{ "id": "a", "key": "${secret('a')}", `);
    expect(parse).toThrow('The API key list is not valid JSON.');
  });
});
