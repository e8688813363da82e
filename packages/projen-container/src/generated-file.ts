import type { IConstruct } from 'constructs';
import type { FileBaseOptions } from 'projen';
import { FileBase } from 'projen';

export interface GeneratedFileOptions extends FileBaseOptions {
  /**
   * Renders the whole file; called at synthesis so later `add*` calls count.
   * Receives the projen marker (undefined when ejected) to place as a comment
   * in the file's own syntax.
   */
  readonly render: (marker: string | undefined) => string;
}

/**
 * A projen-owned text file rendered by a function. Unlike `TextFile` and
 * `Makefile` it always carries the marker, so a hand edit is recognisable.
 */
export class GeneratedFile extends FileBase {
  private readonly render: (marker: string | undefined) => string;

  constructor(scope: IConstruct, filePath: string, options: GeneratedFileOptions) {
    super(scope, filePath, options);
    this.render = options.render;
  }

  protected synthesizeContent(): string {
    return this.render(this.marker);
  }
}
