/** A refusal the user can act on: bad definition, unknown id, read-only workflow, already running. */
export class WorkflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowError';
  }
}
