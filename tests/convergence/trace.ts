/**
 * What a case did, line by line, as the concrete requests and answers: printed
 * with a failing, shrunk case so it can be read without replaying it.
 */
export class Trace {
  readonly lines: string[] = [];

  log(line: string): void {
    this.lines.push(line);
  }

  toString(): string {
    return this.lines.join('\n');
  }
}
