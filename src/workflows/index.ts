// Scheduled workflows: the API the hub, the meta-tools and the CLI use.
export { WorkflowService } from './service.js';
export { WorkflowError } from './errors.js';
export { scheduleToCron, showSchedule, type CronFromWords } from './natural-schedule.js';
export type { WorkflowServiceOptions, WorkflowSummary, WorkflowDetails, CreateResult, WorkflowsStatus, WorkflowStatus } from './service.js';
export { NodeCronScheduler, ManualScheduler, type Scheduler, type Fire } from './scheduler.js';
export { WorkflowStore } from './store.js';
export { describeSchedule, nextRuns, systemTimezone } from './cron.js';
export { WorkflowInputSchema, WorkflowRunSchema, systemClock } from './types.js';
export type { Clock, RunPlanOptions, WorkflowDefinition, WorkflowInput, WorkflowRun, WorkflowRunner, Trigger } from './types.js';
export { claimScheduling, schedulingOwner } from './owner.js';
