import { BUILD_ARGS } from './dockerfile';

/** HEAD's committer time in UTC, ISO 8601 to the second: the same for every build of one commit. */
export const COMMIT_TIME = 'TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd';

/**
 * The created label's value, as a POSIX shell expression: `SOURCE_DATE_EPOCH`
 * when the caller sets it (the reproducible-builds convention; GNU `date -d`,
 * else BSD `date -r`), otherwise the commit's time, so two builds of one
 * commit carry the same metadata. Outside a git checkout it is the
 * Dockerfile's own default, never the wall clock.
 */
export const CREATED_EXPRESSION = '$(if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then '
  + 'date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ; '
  + `else ${COMMIT_TIME} 2>/dev/null | grep . || echo ${BUILD_ARGS.CREATED}; fi)`;

/** Why `SOURCE_DATE_EPOCH` cannot date the image, or undefined when it is unset or whole seconds since 1970. Pure. */
export function sourceDateProblem(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || /^\d{1,12}$/.test(value)) return undefined;
  return `SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got ${JSON.stringify(value)}`;
}
