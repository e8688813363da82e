import type { ResolvedProps } from './resolve';
import { IMAGE, fail } from './validation';

/**
 * The declared facts the app reads from its config defaults, under their
 * prop names. A fact the app needs too is one more name here.
 */
export const APP_CONFIG_FACTS = ['port', 'workers', 'healthPath', 'livenessPath', 'metricsPath', 'shutdownTimeoutMs'] as const;

/**
 * The app's config defaults: its own `values` with the declared facts on
 * top, so each fact is declared once, on the image, and the app cannot
 * disagree with the HEALTHCHECK, the port or the stop check. Pure.
 */
export function renderAppConfig(p: ResolvedProps, values: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const twice = APP_CONFIG_FACTS.find((f) => f in values);
  if (twice) fail(IMAGE, 'appConfig.values', `must not set "${twice}": it is declared on the image and written from there`, values[twice]);
  const facts = Object.fromEntries(APP_CONFIG_FACTS.filter((f) => p[f] !== undefined).map((f) => [f, p[f]]));
  return { ...values, ...facts };
}

/** The config file must be inside an asset, or the image would not ship it. */
export function checkAppConfigShipped(path: string, assets: readonly string[]): void {
  if (!assets.some((a) => path === a || path.startsWith(`${a}/`))) {
    fail(IMAGE, 'appConfig.path', `must lie inside one of the assets (${assets.join(', ') || 'none'}), or the image would not ship it`, path);
  }
}
