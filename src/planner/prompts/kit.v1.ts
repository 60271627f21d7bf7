// What a planning kit tells the calling agent (plan_task / orchestrate when the hub has no model): the
// plan format, one short example, and how to hand the plan over. The agent is the planner here, so the
// rules are the planner's (plan.v2), written for an agent that calls tools instead of submit_plan.

export const KIT_FORMAT = `Plan format (JSON): {"goal": "<one line>", "steps": [<step>, ...]}
- A tool step: {"id", "tool", "args", "dependsOn"?, "forEach"?}. Use only the tools listed here, by their exact names, with the arguments their input schemas ask for.
- Step ids are identifiers (letters, digits, _). Steps run in parallel unless one depends on another (dependsOn, or reading its result).
- Argument values are literals, or JSONata expressions over earlier results and the context you pass:
  {"$expr": "steps.<id>.<field>"} gives any value; {"$template": "Chase {{item.invoiceNumber}}"} gives a string.
  \`input\` is the run's context (run_plan's "context"), \`steps.<id>\` a tool step's structured result.
- "forEach": a JSONata expression giving an array; the step runs once per element, with \`item\` and \`index\` bound.
- A tool that returns text (no output schema) gives a string the plan cannot take fields from. This hub has no language model, so a plan cannot contain prompt steps: read such data yourself first (call the tool through call_tool), then pass what you need as "context" (or literal arguments), and write messages with $template or as literals.
- Steps that change or send data may need consent: the run then stops with status "needs-approval" and a runId; a person approves with orchestrate {"runId": ..., "approve": true}.`;

export const KIT_EXAMPLE = `Example: "Create a task for each overdue order and post a count to the team chat", after reading the orders yourself:
run_plan {
  "context": {"orders": [{"number": "SO-1", "customer": "Acme", "due": "2026-11-30"}, {"number": "SO-2", "customer": "Globex", "due": "2026-12-01"}]},
  "plan": {"goal": "Follow up overdue orders", "steps": [
    {"id": "lists", "tool": "tasks__get_lists", "args": {"folder_id": "90"}},
    {"id": "followups", "tool": "tasks__create_task", "forEach": "input.orders",
     "args": {"list_id": {"$expr": "steps.lists.lists[0].id"}, "name": {"$template": "Follow up {{item.number}} ({{item.customer}})"}}},
    {"id": "notify", "tool": "chat__send_message", "dependsOn": ["followups"],
     "args": {"text": {"$template": "{{$count(input.orders)}} overdue orders have follow-up tasks."}}}
  ]}
}`;

export const KIT_NEXT = 'Write the plan, then call run_plan {"plan": ..., "context": ..., "conversationId": ...}. It checks the whole plan first and reports every problem at once by step and field; fix them and call it again. dryRun: true checks without running.';
