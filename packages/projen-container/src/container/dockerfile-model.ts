/**
 * A typed model of the Dockerfile subset we generate. Only the instructions
 * and flags our images use are modelled, so every field is one we render and
 * lint; anything else is a deliberate gap, not an oversight.
 */

/** A `RUN --mount=...` flag. */
export interface RunMount {
  readonly type: 'cache' | 'bind' | 'secret';
  readonly target: string;
  /** For a bind: the stage or image it comes from, and the path there. */
  readonly from?: string;
  readonly source?: string;
}

interface InstructionBase {
  /** Rendered as `# ...` lines above the instruction: say why, not what. */
  readonly comment?: string;
}

export interface ArgInstruction extends InstructionBase {
  readonly kind: 'ARG';
  readonly name: string;
  readonly default?: string;
}

export interface CmdInstruction extends InstructionBase {
  readonly kind: 'CMD';
  /** Exec form only: a shell between the runtime and node would swallow SIGTERM. */
  readonly argv: readonly string[];
}

export interface CopyInstruction extends InstructionBase {
  readonly kind: 'COPY';
  readonly sources: readonly string[];
  readonly dest: string;
  /** A previous stage to copy from; the build context when unset. */
  readonly from?: string;
}

export interface EnvInstruction extends InstructionBase {
  readonly kind: 'ENV';
  readonly vars: Readonly<Record<string, string>>;
  /** Values refer to build args (`${VERSION}`) and must be expanded; otherwise they are literal. */
  readonly expand?: boolean;
}

export interface ExposeInstruction extends InstructionBase {
  readonly kind: 'EXPOSE';
  readonly port: number;
}

export interface HealthcheckInstruction extends InstructionBase {
  readonly kind: 'HEALTHCHECK';
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly startPeriodS: number;
  readonly retries: number;
  readonly argv: readonly string[];
}

export interface LabelInstruction extends InstructionBase {
  readonly kind: 'LABEL';
  readonly labels: Readonly<Record<string, string>>;
}

export interface RunInstruction extends InstructionBase {
  readonly kind: 'RUN';
  readonly command: string;
  readonly mounts?: readonly RunMount[];
}

export interface ShellInstruction extends InstructionBase {
  readonly kind: 'SHELL';
  /** The shell the stage's later `RUN`s run in, exec form. */
  readonly argv: readonly string[];
}

export interface UserInstruction extends InstructionBase {
  readonly kind: 'USER';
  readonly user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  readonly kind: 'WORKDIR';
  readonly path: string;
}

export type DockerInstruction =
  | ArgInstruction
  | CmdInstruction
  | CopyInstruction
  | EnvInstruction
  | ExposeInstruction
  | HealthcheckInstruction
  | LabelInstruction
  | RunInstruction
  | ShellInstruction
  | UserInstruction
  | WorkdirInstruction;

export interface DockerStage {
  /** The `AS` name; later stages and `COPY --from` refer to it. */
  readonly name: string;
  /** Image reference, or the name of an earlier stage. */
  readonly from: string;
  /**
   * `FROM --platform=`: {@link BUILD_PLATFORM} runs the stage natively on the
   * builder whatever the target. Unset, the stage is the target platform's.
   */
  readonly platform?: string;
  readonly comment?: string;
  readonly instructions: readonly DockerInstruction[];
}

/** BuildKit's automatic arg for the platform the builder runs on. */
export const BUILD_PLATFORM = '$BUILDPLATFORM';

export interface DockerfileModel {
  /** The last stage is the image that gets tagged. */
  readonly stages: readonly DockerStage[];
}
