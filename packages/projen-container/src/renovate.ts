import type { IConstruct } from 'constructs';
import { Component, github as gh, JsonFile, Project } from 'projen';

/** Renovate's branch prefix: the build workflow's self-mutation is narrowed to these branches. */
export const RENOVATE_BRANCH_PREFIX = 'renovate/';

/** Who commits the regenerated files onto a bot branch (projen's self-mutation job). */
const SELF_MUTATION_AUTHOR = '41898282+github-actions[bot]@users.noreply.github.com';

export interface RenovatePin {
  /** What a reader and the PR title see, e.g. "GitHub Actions pins". */
  readonly description: string;
  /** The file (repo-relative) holding the pins. */
  readonly file: string;
  /**
   * Regular expression with Renovate's named groups: `depName`,
   * `currentValue`, and `currentDigest` where a digest is pinned.
   */
  readonly matchString: string;
  readonly datasource: 'docker' | 'github-tags';
  /**
   * Only digest updates: the version (tag) is declared elsewhere, and
   * changing it here alone would contradict that declaration.
   * @default false
   */
  readonly digestOnly?: boolean;
  /**
   * The conventional-commit type of the bot's commits, when a release must follow them: a pin in a
   * package's source reaches its consumers only with a release, and only `fix` and `feat` commits cut one.
   * @default Renovate's own: `chore` where the repository's history has conventional commits, else none
   */
  readonly semanticCommitType?: 'fix';
}

/** How long every update waits after its release, npm, actions and images alike. */
export const MINIMUM_RELEASE_AGE = '3 days';

export interface RenovateProps {
  /**
   * Commit the regenerated files onto Renovate's branches: narrows the build
   * workflow's self-mutation job (`mutableBuild: true`) to `renovate/`
   * branches of this repository, so a bot change to a source of generated
   * files (a pin, container.lock.json) arrives with its regenerated files.
   * Human branches still fail on drift.
   * @default true when the build workflow has a self-mutation job
   */
  readonly selfMutation?: boolean;
}

function escape(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The Renovate configuration, `.github/renovate.json5`, synthesized from the
 * pins it must know. Renovate, not Dependabot: the base-image digests live in
 * container.lock.json and, in the package's own repository, the action pins in
 * its TypeScript, both generated into other files, and only Renovate's custom
 * managers can update them where they are declared (docs/updates.md).
 */
export class Renovate extends Component {
  /** The project's Renovate, for components that register the pins they declare. */
  public static of(project: Project): Renovate | undefined {
    return project.components.find((c): c is Renovate => c instanceof Renovate);
  }

  public readonly file: JsonFile;
  private readonly pins: RenovatePin[] = [];

  constructor(scope: IConstruct, props: RenovateProps = {}) {
    super(scope);
    const project = Project.of(scope);
    // Rendered at synthesis: the components register their pins until then (in preSynthesize).
    this.file = new JsonFile(project, '.github/renovate.json5', {
      allowComments: true,
      obj: () => renovateConfig(this.pins),
    });
    const build = gh.GitHub.of(project)?.tryFindWorkflow('build');
    const selfMutation = tryFindJob(build, 'self-mutation');
    if (props.selfMutation ?? selfMutation !== undefined) {
      if (!build || !selfMutation) {
        throw new Error('Renovate: selfMutation needs the build workflow\'s self-mutation job (buildWorkflowOptions.mutableBuild: true)');
      }
      build.updateJob('self-mutation', {
        ...selfMutation,
        if: `${selfMutation.if} && startsWith(github.event.pull_request.head.ref, '${RENOVATE_BRANCH_PREFIX}')`,
      });
    }
  }

  /** Registers pins in files no built-in manager reads, each a regex custom manager; a pin registered twice counts once. */
  public addPins(...pins: RenovatePin[]): this {
    for (const pin of pins) if (!this.pins.some((p) => p.description === pin.description)) this.pins.push(pin);
    return this;
  }
}

function tryFindJob(workflow: gh.GithubWorkflow | undefined, id: string): gh.workflows.Job | undefined {
  try {
    return workflow?.getJob(id) as gh.workflows.Job | undefined;
  } catch {
    return undefined;
  }
}

/** The configuration as data. Pure. */
export function renovateConfig(pins: readonly RenovatePin[]): Record<string, unknown> {
  return {
    $schema: 'https://docs.renovatebot.com/renovate-schema.json',
    extends: ['config:recommended'],
    // Generated files (workflows, Dockerfile, package.json's shape) are never the bot's to edit.
    enabledManagers: ['npm', 'custom.regex'],
    branchPrefix: RENOVATE_BRANCH_PREFIX,
    schedule: ['before 6am on monday'],
    // The self-mutation commit on a bot branch must not stop Renovate from rebasing it.
    gitIgnoredAuthors: [SELF_MUTATION_AUTHOR],
    lockFileMaintenance: { enabled: true },
    customManagers: pins.map((pin) => ({
      customType: 'regex',
      description: pin.description,
      managerFilePatterns: [`/^${escape(pin.file)}$/`],
      matchStrings: [pin.matchString],
      datasourceTemplate: pin.datasource,
    })),
    packageRules: [
      {
        description: 'npm: ranges live in the projen declaration, so within them only package-lock.json moves (no drift)',
        matchManagers: ['npm'],
        rangeStrategy: 'update-lockfile',
        minimumReleaseAge: MINIMUM_RELEASE_AGE,
      },
      {
        description: 'npm majors change a range in the projen declaration: proposed on the dashboard, done by hand',
        matchManagers: ['npm'],
        matchUpdateTypes: ['major'],
        dependencyDashboardApproval: true,
      },
      ...pins.filter((p) => p.digestOnly).map((pin) => ({
        description: `${pin.description}: digests only, the tags are declared in the projen declaration`,
        matchFileNames: [pin.file],
        matchDatasources: [pin.datasource],
        matchUpdateTypes: ['major', 'minor', 'patch'],
        enabled: false,
      })),
      ...pins.map((pin) => ({
        description: `${pin.description}: one PR for all, as they regenerate the same files`,
        matchFileNames: [pin.file],
        matchDatasources: [pin.datasource],
        matchUpdateTypes: ['minor', 'patch', 'digest'],
        groupName: pin.description,
      })),
      ...pins.filter((p) => p.semanticCommitType).map((pin) => ({
        description: `${pin.description}: a ${pin.semanticCommitType} commit, so that the package declaring it releases the update`,
        matchFileNames: [pin.file],
        matchDatasources: [pin.datasource],
        semanticCommits: 'enabled',
        semanticCommitType: pin.semanticCommitType,
      })),
      ...pins.map((pin) => ({
        // A digest has no release date Renovate can read (docker): it then waits on the dependency dashboard (docs/updates.md).
        description: `${pin.description}: every update, digests included, waits as long as npm's`,
        matchFileNames: [pin.file],
        matchDatasources: [pin.datasource],
        minimumReleaseAge: MINIMUM_RELEASE_AGE,
      })),
    ],
  };
}
