import type Docker from 'dockerode';
import type { HardenedProfile } from '../../container/check-plan';

/** The profile as Docker options: what `docker run --read-only --tmpfs … --cap-drop … --security-opt no-new-privileges` sets. */
export function hardenedHostConfig(profile: HardenedProfile): Omit<Docker.HostConfig, 'NetworkMode'> {
  return {
    ReadonlyRootfs: profile.readOnlyRootFilesystem,
    Tmpfs: { ...profile.tmpfs },
    CapDrop: [...profile.capDrop],
    SecurityOpt: profile.noNewPrivileges ? ['no-new-privileges'] : [],
  };
}
