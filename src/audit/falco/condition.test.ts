import { describe, expect, it } from 'vitest';

import { fieldRefText, type Expr } from './condition-ast.js';
import { conditionPosition, ConditionSyntaxError, parseCondition } from './condition-parser.js';
import { matches, podCreate } from './test-support.js';

/** The tree as compact text: (a and b), (a or b), not x, macro names, field op value. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.children.map(show).join(` ${e.kind} `)})`;
    case 'not':
      return `not ${show(e.child)}`;
    case 'macro':
    case 'resolved-macro':
      return e.name;
    case 'check': {
      const o = e.operand;
      const value =
        o === undefined
          ? ''
          : o.kind === 'list'
            ? ` (${o.items.map((t) => (t.quoted ? JSON.stringify(t.text) : t.text)).join(',')})`
            : o.kind === 'field'
              ? ` val(${fieldRefText(o.field)})`
              : ` ${o.value.quoted ? JSON.stringify(o.value.text) : o.value.text}`;
      return `${fieldRefText(e.field)} ${e.op}${value}`;
    }
  }
}

function syntaxError(text: string): { message: string; column: number } {
  try {
    parseCondition(text);
  } catch (err: unknown) {
    if (err instanceof ConditionSyntaxError) return { message: err.message, column: conditionPosition(text, err.offset).column };
    throw err;
  }
  throw new Error(`parsed: ${text}`);
}

describe('condition parser (libsinsp grammar)', () => {
  it.each([
    ['a or b and c', '(a or (b and c))'],
    ['a and b or c', '((a and b) or c)'],
    ['not a and b', '(not a and b)'],
    ['not (a and b)', 'not (a and b)'],
    ['not not a', 'a'],
    ['not(a or b)', 'not (a or b)'],
    ['a and(b or c)', '(a and (b or c))'],
    ['(a)or b', '(a or b)'],
    ['ka.verb=create', 'ka.verb = create'],
    ['ka.verb == create', 'ka.verb == create'],
    ['ka.target.name!="system:coredns"', 'ka.target.name != "system:coredns"'],
    ['ka.verb in (create,update, "a b")', 'ka.verb in (create,update,"a b")'],
    ['ka.verb in ()', 'ka.verb in ()'],
    ['ka.verb in my_list', 'ka.verb in my_list'],
    ['jevt.value[/stage] exists', 'jevt.value[/stage] exists'],
    ["ka.uri.param['a b'] = x", 'ka.uri.param[a b] = x'],
    ['ka.response.code startswith 2', 'ka.response.code startswith 2'],
    ['ka.response.code >= 400', 'ka.response.code >= 400'],
    ['tolower(ka.user.name) = alice', 'tolower(ka.user.name) = alice'],
    ['ka.user.name = val(ka.impuser.name)', 'ka.user.name = val(ka.impuser.name)'],
    ['len(ka.user.groups) > 1', 'len(ka.user.groups) > 1'],
  ])('%s  →  %s', (text, tree) => {
    expect(show(parseCondition(text))).toBe(tree);
  });

  it('unescapes quoted strings as libsinsp does', () => {
    const e = parseCondition(String.raw`ka.uri = "a\"b\\c\tq\x41" and ka.verb = 'it\'s'`);
    expect(show(e)).toBe(`(ka.uri = ${JSON.stringify('a"b\\c\tqA')} and ka.verb = ${JSON.stringify("it's")})`);
  });

  it.each([
    // libsinsp reports where its cursor stopped: right after 'and' here, before the 'x'.
    ['ka.verb = create andx b', "expected blank or '(' after 'and'", 21],
    ['ka.verb = create foo', "unexpected token after 'create', expecting 'or', 'and'", 18],
    ['ka.verb', 'expected a valid check operator', 8],
    ['(a and b', "expected a ')' token", 9],
    ['ka.verb in (a, b', "expected a ')' token", 17],
    ['= x', "expected a '(' token, a field check, or an identifier", 1],
    ['ka.verb contains"x"', 'expected a valid check operator', 9],
    ['ka.uri = "a\\q"', 'unsupported string escape sequence: \\q', 13],
    ['', 'filter input string is empty', 1],
  ])('rejects %j: %s (column %d)', (text, message, column) => {
    const err = syntaxError(text);
    expect(err.message).toContain(message);
    expect(err.column).toBe(column);
  });

  it('counts lines and columns like libsinsp', () => {
    expect(conditionPosition('a and\n  b', 8)).toEqual({ line: 2, column: 3 });
  });
});

describe('condition evaluation', () => {
  it.each([
    ['ka.verb = create', true],
    ['ka.verb != create', false],
    ['ka.verb = CREATE', false],
    ['ka.user.name contains lic', true],
    ['ka.user.name icontains LIC', true],
    ['ka.user.name startswith al', true],
    ['ka.user.name endswith ce', true],
    ['ka.uri glob "/api/v1/namespaces/*/pods*"', true],
    ['ka.uri glob "/api/v1/namespaces/?/pods*"', false],
    ['ka.uri iglob "/API/*"', true],
    ['ka.uri regex "/api/v1/.*"', true],
    ['ka.uri regex "v1"', false],
    ['ka.target.namespace in (kube-system, shop)', true],
    ['ka.target.namespace intersects (shop)', true],
    ['ka.target.namespace in (kube-system)', false],
    ['ka.uri pmatch (/api/v1/namespaces)', true],
    ['ka.uri pmatch (/api/v1/name)', false],
    ['ka.uri pmatch (/api/*/namespaces/shop)', true],
    // Numeric operators compare the strings byte by byte, as libsinsp does for string fields.
    ['ka.response.code < 300', true],
    ['ka.response.code > 1000', true],
    ['ka.response.code startswith 2', true],
    ['ka.uri.param[fieldManager] = kubectl-client-side-apply', true],
    ['ka.auth.decision = allow', true],
    ['ka.resp.name = web-0', true],
    ['jevt.value[/objectRef/namespace] = shop', true],
    ['jevt.value[/requestObject/spec/containers/1/name] = sidecar', true],
    ['jevt.value[/responseStatus/code] = 201', true],
    ['jevt.value[/responseStatus] = "{\\"metadata\\":{},\\"code\\":201}"', true],
    ['jevt.rawtime = 1714557600123456789', true],
    ['jevt.rawtime exists', true],
    ['ka.req.pod.host_network = true', true],
    ['tolower(ka.req.pod.containers.image.repository) intersects (envoy)', true],
    ['len(ka.req.pod.containers.image) = 2', true],
    ['len(ka.user.name) > 4', true],
    ['basename(ka.uri) startswith pods', true],
    ['ka.user.name = val(ka.user.name)', true],
    ['ka.user.name = val(ka.verb)', false],
  ])('%s is %s', (condition, expected) => {
    expect(matches(condition)).toBe(expected);
  });

  describe('list fields: in = every value in the set, intersects = any', () => {
    it.each([
      ['ka.req.pod.containers.image.repository in (registry.example.com/shop/web, Envoy)', true],
      ['ka.req.pod.containers.image.repository in (registry.example.com/shop/web)', false],
      ['ka.req.pod.containers.image.repository intersects (registry.example.com/shop/web)', true],
      ['ka.req.pod.containers.image.repository intersects (nginx)', false],
      ['ka.req.pod.containers.privileged intersects (true)', true],
      ['ka.req.pod.containers.privileged in (true)', false],
      ['ka.req.pod.containers.privileged[0] in (false)', true],
      ['ka.req.pod.initContainers.privileged exists', false],
      ['ka.req.pod.initContainers.image in (busybox)', true],
      ['ka.req.pod.volumes.hostpath intersects (/etc/kubernetes)', true],
      ['ka.user.groups intersects (developers)', true],
      ['ka.sourceips intersects (10.0.0.1)', true],
      ['ka.sourceips[0] in (203.0.113.9)', true],
      ['ka.req.pod.containers.eff_run_as_user in (500, 1000)', true],
    ])('%s is %s', (condition, expected) => {
      expect(matches(condition)).toBe(expected);
    });

    it('refuses other operators on list fields at load, as libsinsp does', () => {
      expect(() => matches('ka.req.pod.containers.image = nginx')).toThrow(
        "list filter 'ka.req.pod.containers.image' only supports operators 'exists', 'in' and 'intersects'",
      );
    });
  });

  describe('a comparison on a missing field is false, whatever the operator', () => {
    const noBody = podCreate({ requestObject: undefined, objectRef: { resource: 'pods', namespace: 'shop', name: 'web-0' } });
    it.each([
      ['ka.target.subresource = exec', false],
      ['ka.target.subresource != exec', false],
      ['not ka.target.subresource = exec', true],
      ['ka.target.subresource exists', false],
      ['not ka.target.subresource exists', true],
      ['ka.req.pod.containers.image in (nginx)', false],
      ['not ka.req.pod.containers.image in (nginx)', true],
      ['ka.req.pod.containers.privileged intersects (true)', false],
      ['jevt.value[/requestObject/spec] exists', false],
    ])('%s is %s', (condition, expected) => {
      expect(matches(condition, noBody)).toBe(expected);
    });

    it('ka.* fields are not available without an auditID; jevt.* still are', () => {
      const anonymous = podCreate({ auditID: undefined });
      expect(matches('ka.verb = create', anonymous)).toBe(false);
      expect(matches('jevt.value[/verb] = create', anonymous)).toBe(true);
    });

    it('an event without a stageTimestamp never reaches a Falco rule (the plugin drops it)', () => {
      expect(matches('jevt.value[/verb] = create', podCreate({ stageTimestamp: undefined }))).toBe(false);
      expect(matches('jevt.value[/verb] = create', podCreate({ stageTimestamp: 'yesterday' }))).toBe(false);
    });

    it('a value of the wrong type fails the evaluation (counted by the engine), not the scan', () => {
      const result = matches('ka.user.groups intersects (x)', podCreate({ user: { username: 'a', groups: 'developers' } }));
      expect(result).toBeInstanceOf(Error);
    });
  });

  describe('lists', () => {
    const prelude = `
- list: base
  items: [shop, "name with space"]
- list: outer
  items: [base, kube-system]
- list: empty
  items: []
`;
    it.each([
      ['ka.target.namespace in (outer)', true],
      ['ka.target.namespace in (base)', true],
      ['ka.target.namespace in (empty, shop)', true],
      ['ka.target.namespace in (empty)', false],
      ['ka.target.namespace in ("base")', false],
      ['ka.target.namespace in (not_a_list)', false],
    ])('%s is %s', (condition, expected) => {
      expect(matches(condition, podCreate(), prelude)).toBe(expected);
    });

    it('a name that is no list is a literal string', () => {
      expect(
        matches('ka.target.namespace in (shop_list)', podCreate({ objectRef: { resource: 'pods', namespace: 'shop_list' } }), prelude),
      ).toBe(true);
    });

    it('items holding a space are quoted when put in place', () => {
      expect(
        matches('ka.target.namespace in (base)', podCreate({ objectRef: { resource: 'pods', namespace: 'name with space' } }), prelude),
      ).toBe(true);
    });

    it('a list sees another list only when that one was defined first; conditions see lists later in the passes', () => {
      const ordered = `
- list: first
  items: [second]
- list: second
  items: [shop]
- list: third
  items: [first]
`;
      // `first` keeps the literal "second" (not yet defined), which the later pass of `second` expands in a condition.
      expect(matches('ka.target.namespace in (first)', podCreate(), ordered)).toBe(true);
      // `third` takes `first`'s raw items ("second"), put in after `second`'s pass: it stays the literal.
      expect(matches('ka.target.namespace in (third)', podCreate(), ordered)).toBe(false);
      expect(matches('ka.target.namespace in (third)', podCreate({ objectRef: { resource: 'pods', namespace: 'second' } }), ordered)).toBe(
        true,
      );
    });

    it('a list used as a single value must expand to one value', () => {
      expect(matches('ka.target.namespace = one', podCreate(), '- list: one\n  items: [shop]\n')).toBe(true);
      expect(() => matches('ka.target.namespace = base', podCreate(), prelude)).toThrow("list 'base' used as a single value expands to 2");
    });
  });

  describe('macros', () => {
    it('expand into the condition, nested', () => {
      const prelude = `
- macro: is_create
  condition: ka.verb=create
- macro: pod_create
  condition: is_create and ka.target.resource=pods
`;
      expect(matches('pod_create and not ka.user.name startswith "system:"', podCreate(), prelude)).toBe(true);
      expect(matches('not pod_create', podCreate(), prelude)).toBe(false);
    });

    it('see only macros first defined before them; rules see all of them', () => {
      const prelude = `
- macro: uses_later
  condition: later
- macro: later
  condition: ka.verb=create
`;
      expect(() => matches('uses_later', podCreate(), prelude)).toThrow("Undefined macro 'later' used in filter.");
      expect(matches('later', podCreate(), '- macro: later\n  condition: ka.verb=create\n')).toBe(true);
    });

    it('use their final definition, and a redefinition may use macros defined after the first one', () => {
      const prelude = `
- macro: allowed
  condition: (jevt.rawtime exists)
- macro: mine
  condition: ka.user.name=alice
- macro: allowed
  condition: mine
`;
      expect(matches('not allowed', podCreate(), prelude)).toBe(false);
      expect(matches('not allowed', podCreate({ user: { username: 'bob', groups: [] } }), prelude)).toBe(true);
    });

    it('append with a space, and report reference loops', () => {
      const appended = `
- macro: m
  condition: ka.verb=create
- macro: m
  condition: and ka.user.name=bob
  append: true
`;
      expect(matches('m', podCreate(), appended)).toBe(false);
      const loop = '- macro: a\n  condition: ka.verb=create\n- macro: a\n  condition: or a\n  append: true\n';
      expect(() => matches('a', podCreate(), loop)).toThrow("reference loop in macro 'a'");
    });

    it('an unknown identifier is an undefined macro, with its column', () => {
      expect(() => matches('ka.verb=create and nope')).toThrow(/Undefined macro 'nope' used in filter\. at column 20 of the condition/);
    });
  });

  it('rejects unknown fields and bad arguments at load, naming them', () => {
    expect(() => matches('ka.nope = x')).toThrow('nonexistent field ka.nope');
    expect(() => matches('ka.uri.param exists')).toThrow("field 'ka.uri.param' requires an argument");
    expect(() => matches('ka.verb[0] = x')).toThrow("field 'ka.verb' does not take an argument");
    expect(() => matches('ka.req.pod.containers.image[x] exists')).toThrow('must be an index');
    expect(() => matches('ka.verb bcontains 00')).toThrow("'bcontains' not supported for string filters");
    expect(() => matches('ka.verb regex "("')).toThrow('invalid regular expression');
  });
});
