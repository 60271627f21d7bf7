// The plan format: what plan_task returns, orchestrate runs, a workflow's `steps` holds, and memory
// stores. Plans are data: they can be shown, approved, stored and re-run without planning again.
//
// Argument values are literals unless they are one of two expression objects, evaluated with JSONata
// (a small, side-effect-free query language; never eval) over the run's context:
//   {"$expr": "<jsonata>"}                 -> any value, e.g. {"$expr": "steps.invoices.invoices[amountDue > 0]"}
//   {"$template": "text {{<jsonata>}} ..."} -> a string with interpolations, e.g. "Chase {{item.invoiceNumber}}"
// The context is { steps: { <stepId>: <result> }, item, index (inside forEach), input (the run's context) }.
// A step's result is the tool's structuredContent when present, else its text parsed as JSON when it is
// JSON, else the text (a tool's text parts joined by blank lines); an LLM step's result is its text (or
// parsed JSON with output: "json" or an outputSchema, which the answer must fit); a forEach
// step's result is the array of its iterations' results.
import { z } from 'zod';

export const StepIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'step ids are identifiers: a letter, then letters, digits or _');

export const ExprSchema = z.object({ $expr: z.string().min(1) }).strict();
export const TemplateSchema = z.object({ $template: z.string() }).strict();

const common = {
  id: StepIdSchema,
  /** Steps that must finish first (besides the ones its expressions reference). */
  dependsOn: z.array(StepIdSchema).optional(),
  /** Shown to the user when the plan is presented. */
  description: z.string().optional(),
};

export const ToolStepSchema = z
  .object({
    ...common,
    /** Namespaced catalog name, e.g. "clickup__create_task". */
    tool: z.string().min(1),
    args: z.record(z.string(), z.unknown()).default({}),
    /** JSONata expression giving an array: the step runs once per element, with `item` and `index` bound. */
    forEach: z.string().min(1).optional(),
  })
  .strict();

export const LlmStepSchema = z
  .object({
    ...common,
    /** Instruction for the model over earlier results: summarise, extract, format. */
    prompt: z.string().min(1),
    /** Named values given to the model with the prompt (literals or expressions). */
    inputs: z.record(z.string(), z.unknown()).optional(),
    output: z.enum(['text', 'json']).default('text'),
    /**
     * JSON Schema the answer must fit (implies output "json"): how a plan reads fields out of a tool that
     * answers in text. The answer is checked against it and the model asked once more with what is wrong.
     */
    outputSchema: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const StepSchema = z.union([ToolStepSchema, LlmStepSchema]);

export const PlanSchema = z
  .object({
    /** One line: what the plan does. */
    goal: z.string().optional(),
    steps: z.array(StepSchema).min(1),
  })
  .strict();

export type ToolStep = z.output<typeof ToolStepSchema>;
export type LlmStep = z.output<typeof LlmStepSchema>;
export type Step = z.output<typeof StepSchema>;
export type Plan = z.output<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;

export function isToolStep(step: Step): step is ToolStep {
  return 'tool' in step;
}
