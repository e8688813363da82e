import { DockerCompose, DockerComposeService, Testing } from 'projen';
import { parse } from 'yaml';
import type { ComposeServiceExtension } from '../../../packages/projen-container/src/deploy/compose-extensions';
import { extendComposeFile, renderComposeExtensions } from '../../../packages/projen-container/src/deploy/compose-extensions';
import { testProject } from '../container/fixture';

const service = (name: string, dependsOn: string[] = []) =>
  new DockerComposeService(name, { image: 'busybox:1', dependsOn: dependsOn.map((d) => DockerCompose.serviceName(d)) });
const services = { db: service('db'), job: service('job', ['db']), web: service('web', ['db', 'job']) };

describe('renderComposeExtensions', () => {
  test('each field is an override at services.<name>.<key>, in declaration order', () => {
    const { overrides, replacements } = renderComposeExtensions(services, {
      db: { ports: ['127.0.0.1:5432:5432'], healthcheck: { test: ['CMD', 'true'], interval: '2s', timeout: '3s', retries: 3, start_period: '5s' } },
      web: { image: 'web:1', user: '1:1', read_only: true, tmpfs: ['/tmp'], cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'], depends_on: { db: 'service_healthy', job: 'service_completed_successfully' } },
    });
    expect(Object.keys(overrides)).toEqual([
      'services.db.ports', 'services.db.healthcheck',
      'services.web.image', 'services.web.user', 'services.web.read_only', 'services.web.tmpfs', 'services.web.cap_drop', 'services.web.security_opt',
    ]);
    expect(overrides['services.web.read_only']).toBe(true);
    expect(Object.keys(overrides)).not.toContain('services.web.depends_on');
    expect(replacements).toEqual({ '/services/web/depends_on': { db: { condition: 'service_healthy' }, job: { condition: 'service_completed_successfully' } } });
  });

  test('the conditions follow projen\'s dependsOn order, whatever order they are given in', () => {
    const { replacements } = renderComposeExtensions(services, { web: { depends_on: { job: 'service_completed_successfully', db: 'service_healthy' } } });
    expect(Object.keys(replacements['/services/web/depends_on'] as object)).toEqual(['db', 'job']);
  });

  test('a service without dependencies and conditions gets no replacement', () => {
    expect(renderComposeExtensions(services, { db: { user: '1:1' } }).replacements).toEqual({});
  });

  test('fails on an extension of a service projen does not model', () => {
    expect(() => renderComposeExtensions(services, { cache: { user: '1:1' } }))
      .toThrow('ComposeStack: "services" must name a service added to DockerCompose (db, job, web), got "cache"');
  });

  test.each<[string, ComposeServiceExtension, string]>([
    ['a dependency without a condition', { depends_on: { db: 'service_healthy' } }, '["db"]'],
    ['a condition for a service it does not depend on', { depends_on: { db: 'service_healthy', job: 'service_healthy', web: 'service_healthy' } }, '["db","job","web"]'],
    ['dependencies without any condition', {}, '[]'],
  ])('fails on %s', (_what, extension, got) => {
    expect(() => renderComposeExtensions(services, { web: extension }))
      .toThrow(`ComposeStack: "services.web.depends_on" must give a condition for each of its dependsOn (db, job) and no other, got ${got}`);
  });
});

describe('extendComposeFile', () => {
  test('turns projen\'s depends_on list into compose\'s map of conditions, which an override cannot', () => {
    const synth = (extend: (compose: DockerCompose, added: Record<string, DockerComposeService>) => void) => {
      const project = testProject([]);
      const compose = new DockerCompose(project);
      const added = { db: compose.addService('db', { image: 'busybox:1' }), web: compose.addService('web', { image: 'busybox:1', dependsOn: [DockerCompose.serviceName('db')] }) };
      extend(compose, added);
      return parse(Testing.synth(project)['docker-compose.yml']).services.web;
    };
    expect(synth((compose) => compose.file.addOverride('services.web.depends_on', { db: { condition: 'service_healthy' } })).depends_on).toEqual(['db']);
    expect(synth((compose, added) => extendComposeFile(compose.file, added, { web: { user: '1:1', depends_on: { db: 'service_healthy' } } })))
      .toEqual({ image: 'busybox:1', depends_on: { db: { condition: 'service_healthy' } }, user: '1:1' });
  });
});
