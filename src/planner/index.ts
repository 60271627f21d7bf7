// The planner module's public surface for the hub, the CLI, workflows and memory.
export * from './plan.js';
export * from './record.js';
export { Orchestrator, type OrchestratorDeps, type PlanContext, type PlanMemory, type PlanResult, type ResumeOptions, type RunOptions, type RunResult, type DestructiveStep, type PlanningKit } from './orchestrator.js';
export { Conversations, ConversationError, type ConversationInfo, type Turn } from './conversations.js';
export { Planner, PlanningError, exampleFromRecord, planJsonSchema, SUBMIT_PLAN, type PlanExample, type PlanRequest, type PlannerResult, type ReplanRequest, type ToolSearch } from './planner.js';
export { Executor, StepTimeoutError, approvalKey, type ApprovalRequest, type Approver, type ExecuteOptions, type RunState, type StepProgress, type ToolCaller } from './executor.js';
export { PlanValidationError, checkPlan, formatIssues, parsePlan, stepDependencies, validatePlan, type PlanIssue, type ToolLookup } from './validator.js';
export { SafetyPolicy, isRetryable } from './safety.js';
export { summarize } from './summary.js';
export { retrievalQueries, splitClauses } from './clauses.js';
