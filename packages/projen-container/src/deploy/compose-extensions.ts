import { JsonPatch } from 'projen';
import type { DockerComposeService, ObjectFile } from 'projen';
import { fail } from '../container/validation';

/** What a dependency must have reached before its dependent starts: compose's `depends_on` conditions the stack uses. */
export type DependsOnCondition = 'service_healthy' | 'service_completed_successfully';

/** A healthcheck in compose's keys: without `test`, Docker keeps the image's own HEALTHCHECK command. */
export type ComposeHealthcheck =
  | {
    readonly test?: readonly string[];
    readonly interval: string;
    readonly timeout: string;
    readonly retries: number;
    readonly start_period: string;
  }
  | { readonly disable: true };

/**
 * What a service of the stack needs beyond projen's `DockerComposeServiceDescription`
 * (projen 0.103), in the Compose Specification's own keys. Each field is here because
 * projen's model has no such field, or renders it in a form the stack cannot use; the
 * rest of a service is projen's.
 */
export interface ComposeServiceExtension {
  /**
   * The tag compose gives the image it builds: projen takes `image` or `imageBuild`,
   * never both, and the stack both builds the Dockerfile and runs the tag docker:build gives.
   */
  readonly image?: string;
  /**
   * Published ports, `host_ip:published:target`: projen's long form has no `host_ip`, and
   * docker-compose 1.29 binds a host address in the short form only.
   */
  readonly ports?: readonly string[];
  /** projen has no `user`. */
  readonly user?: string;
  /** projen has no `read_only`. */
  readonly read_only?: boolean;
  /** projen has no `tmpfs`. */
  readonly tmpfs?: readonly string[];
  /** projen has no `cap_drop`. */
  readonly cap_drop?: readonly string[];
  /** projen has no `security_opt`. */
  readonly security_opt?: readonly string[];
  /** projen has no `healthcheck`. */
  readonly healthcheck?: ComposeHealthcheck;
  /**
   * The condition for each service of projen's `dependsOn`, which renders a list (meaning
   * only "started"). An override deep-merges into that list and cannot turn it into
   * compose's map of conditions, so the map replaces it by a JSON Patch.
   */
  readonly depends_on?: Readonly<Record<string, DependsOnCondition>>;
}

/** The extensions as the file takes them. */
export interface ComposeFileAdditions {
  /** `file.addOverride(path, value)`, in order. */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** `file.patch(JsonPatch.replace(pointer, value))`: what replaces projen's rendering. */
  readonly replacements: Readonly<Record<string, unknown>>;
}

/**
 * The extensions of the services projen models, as file additions. Fails on an extension
 * of a service projen does not model, and on conditions that are not exactly for the
 * service's `dependsOn`. Pure.
 */
export function renderComposeExtensions(
  services: Readonly<Record<string, Pick<DockerComposeService, 'dependsOn'>>>,
  extensions: Readonly<Record<string, ComposeServiceExtension>>,
): ComposeFileAdditions {
  const overrides: Record<string, unknown> = {};
  const replacements: Record<string, unknown> = {};
  for (const [name, { depends_on: conditions, ...fields }] of Object.entries(extensions)) {
    const service = services[name];
    if (!service) fail('ComposeStack', 'services', `must name a service added to DockerCompose (${Object.keys(services).join(', ')})`, name);
    for (const [key, value] of Object.entries(fields)) overrides[`services.${name}.${key}`] = value;

    const dependencies = service.dependsOn.map((d) => d.serviceName);
    const conditioned = Object.keys(conditions ?? {});
    if ([...dependencies].sort().join() !== [...conditioned].sort().join()) {
      fail('ComposeStack', `services.${name}.depends_on`, `must give a condition for each of its dependsOn (${dependencies.join(', ')}) and no other`, conditioned);
    }
    if (conditions && dependencies.length) {
      replacements[`/services/${JsonPatch.escapePath(name)}/depends_on`] = Object.fromEntries(
        dependencies.map((d) => [d, { condition: conditions[d] }]),
      );
    }
  }
  return { overrides, replacements };
}

/**
 * Extends projen's compose file with what its model cannot say, through the file's public
 * override and patch API: the one place the stack goes beyond `DockerCompose`.
 */
export function extendComposeFile(
  file: ObjectFile,
  services: Readonly<Record<string, DockerComposeService>>,
  extensions: Readonly<Record<string, ComposeServiceExtension>>,
): void {
  const { overrides, replacements } = renderComposeExtensions(services, extensions);
  for (const [path, value] of Object.entries(overrides)) file.addOverride(path, value);
  for (const [pointer, value] of Object.entries(replacements)) file.patch(JsonPatch.replace(pointer, value));
}
