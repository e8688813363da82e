import type { typescript } from 'projen';
import { Component, github as gh } from 'projen';
import { actionPins, pinActions } from './actions';
import type { TestJob } from './container-jobs';
import { containerWorkflow, releaseImageJob } from './container-jobs';
import { postgresPin } from './postgres-service';
import { renderWorkflow } from './render';
import type { ContainerImage } from '../container/container-image';
import { IMAGE_TASKS } from '../container/container-image';
import { GeneratedFile } from '../generated-file';
import type { RenovatePin } from '../renovate';
import { Renovate } from '../renovate';

export interface ContainerWorkflowProps {
  /**
   * Branch whose pushes publish the image as `sha-<short>` and `<branch>`.
   * @default - the project's default release branch
   */
  readonly branch?: string;
  /**
   * What the project's tests need in the job that runs them before a
   * publish: services, env, and steps after the install, as its build
   * workflow gives them.
   * @default - nothing but the install
   */
  readonly tests?: TestJob;
}

/**
 * `.github/workflows/container.yml`: build the image once, verify it, and
 * publish exactly that image after the tests passed. When the project has
 * projen's release machinery, the release workflow calls it to publish the
 * release's versions. {@link ACTIONS} being the project's one pin set, it
 * also makes projen's own workflows resolve their actions through it.
 */
export class ContainerWorkflow extends Component {
  public readonly file: GeneratedFile;

  constructor(private readonly image: ContainerImage, props: ContainerWorkflowProps = {}) {
    super(image.project);
    const project = image.project as typescript.TypeScriptProject;
    const branch = props.branch ?? project.release?.branches[0] ?? 'main';
    this.file = new GeneratedFile(project, '.github/workflows/container.yml', {
      render: (marker) => renderWorkflow(containerWorkflow({
        imageName: image.resolved.imageName,
        nodeVersion: String(image.resolved.nodeMajor),
        packageManager: image.resolved.packageManager,
        branch,
        verifyTask: IMAGE_TASKS.verify,
        testTask: project.buildTask.name,
        platforms: image.resolved.platforms,
        verifiesDatabase: image.resolved.checks.runtime.some((c) => c.kind === 'database'),
        tests: props.tests ?? {},
      }), marker),
    });
    if (project.github) pinActions(project.github);
    // A tag created with GITHUB_TOKEN starts no workflow: the release itself calls container.yml.
    // Release.addJobs takes only `Job`, though the workflow renders a reusable-workflow call as well.
    project.release?.addJobs({ release_image: releaseImageJob('release', 'release_github') as unknown as gh.workflows.Job });
  }

  public preSynthesize(): void {
    Renovate.of(this.project)?.addPins(...workflowPins(this.project.outdir, this.image.declared.database !== undefined));
  }
}

/**
 * The pins of what the workflow runs, for the project's Renovate: none in a consumer, whose copy of the package
 * is compiled in node_modules (see `ownSourceFile`), and no PostgreSQL image without a database. Pure.
 */
export function workflowPins(projectDir: string, database: boolean): RenovatePin[] {
  return [actionPins(projectDir), database ? postgresPin(projectDir) : undefined].filter((p) => p !== undefined);
}
