import { runAmdFactory } from './pluginLoader';

describe('runAmdFactory', () => {
  const shared = { react: { name: 'react' }, '@grafana/data': { name: 'data' } };

  it('hands the factory the shared modules and its own URL as "module", as SystemJS does in Grafana', () => {
    const factory = jest.fn((react, mod, data) => ({ plugin: { react, mod, data } }));
    const out = runAmdFactory(
      ['react', 'module', '@grafana/data'],
      factory,
      shared,
      'http://h/public/plugins/p/module.js'
    );
    expect(out).toEqual({
      plugin: {
        react: shared.react,
        mod: { id: 'http://h/public/plugins/p/module.js', uri: 'http://h/public/plugins/p/module.js' },
        data: shared['@grafana/data'],
      },
    });
  });

  it('returns the exports object when the factory fills it instead of returning', () => {
    const out = runAmdFactory(['exports'], (exports) => void ((exports as Record<string, number>).x = 1), shared, 'u');
    expect(out).toEqual({ x: 1 });
  });

  it('refuses a module that needs something not shared, naming it, without running the factory', () => {
    const factory = jest.fn();
    expect(() => runAmdFactory(['react', 'lodash', 'jquery'], factory, shared, 'u')).toThrow(
      'module.js needs lodash, jquery, which the playground does not share'
    );
    expect(factory).not.toHaveBeenCalled();
  });
});
